/**
 * The text-to-image styles: the one list both the procedural engine and the Automatic1111
 * adapter accept (the backend validates the `style` field against it).
 */
export const STYLES = ['realistic', 'anime', 'watercolor', 'sketch', 'pixel_art', 'cyberpunk'] as const;
export type Style = (typeof STYLES)[number];

export const isStyle = (s: string): s is Style => (STYLES as readonly string[]).includes(s);

/** What each style adds to a diffusion model's prompt. */
export const STYLE_PROMPTS: Record<Style, string> = {
  realistic: 'photorealistic, detailed, natural lighting',
  anime: 'anime style, cel shading, clean line art',
  watercolor: 'watercolor painting, soft washes, paper texture',
  sketch: 'pencil sketch, graphite, hatching, monochrome',
  pixel_art: 'pixel art, 16-bit, limited palette',
  cyberpunk: 'cyberpunk, neon lights, night, high contrast',
};

/** Image sizes both engines accept, per side. */
export const IMAGE_SIDE = { min: 64, max: 2048 } as const;
