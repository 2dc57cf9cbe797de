/**
 * A headless Chromium for the studio tests: Debian's /usr/bin/chromium driven by
 * playwright-core (no browser download), WebGL through SwiftShader. Each page collects its
 * console errors and uncaught exceptions, and saves screenshots under test-output/studio.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output/studio');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-gl=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** What is missing for these tests, for needs(). */
export function missingChromium(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `Chromium is not at ${CHROMIUM} (apt-get install chromium)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export interface StudioPage {
  page: Page;
  /** Console errors and uncaught exceptions, as text. */
  errors: string[];
  /** Saves a full-page screenshot as test-output/studio/<name>.png. */
  shot: (name: string) => Promise<void>;
}

export async function openStudio(browser: Browser, url: string): Promise<StudioPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  // Generous: a loaded 2-core machine renders SwiftShader WebGL slowly.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.stack ?? err.message}`));
  await page.goto(url);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    errors,
    shot: async (name) => void (await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })),
  };
}
