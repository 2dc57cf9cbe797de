/** A test picture made with sharp: a light disc on a dark background, a subject to find. */
import sharp from 'sharp';

export function subjectPng(size: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect width="100%" height="100%" fill="rgb(20,20,30)"/>
    <circle cx="${size / 2}" cy="${size / 2}" r="${size / 3}" fill="hsl(200,70%,60%)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
