/**
 * The studio page in a real browser against the real built backend at /: an uploaded image
 * becomes a model whose stages show live, drawn in 3D and downloadable; a prompt becomes an
 * image; the GPU charts move with simulated telemetry and say it is simulated; a backend
 * without GPU telemetry says so; a backend restart is survived. No console error anywhere.
 * Screenshots of each state go to test-output/studio/.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { newApiKey } from '../src/auth/api-keys.js';
import { launchChromium, missingChromium, openStudio, type StudioPage } from './support/browser.js';
import { subjectImage } from './support/images.js';
import { needs } from './support/needs.js';
import { spawnBackend, type BackendProcess } from './support/process.js';
import { nextEvent, socketClient, submitImage, tempDataDir } from './support/server.js';

// Jobs, WebGL in software and a restart on a loaded 2-core machine: minutes of margin, no timing asserted.
const SLOW = { timeout: 180_000 };
/** The 3D view's clear colour (model-view.ts BACKGROUND). */
const BACKGROUND = [0x1b, 0x22, 0x30];

const missing = missingChromium();
const dataDir = tempDataDir();
// One job at a time, so a job submitted behind others is seen queued, then running.
const env = { ORFEAS_GPU: 'sim', ORFEAS_DATA_DIR: dataDir, WORKER_CONCURRENCY: '1' };
let browser: Browser | undefined;
let backend: BackendProcess | undefined;
let studio: StudioPage;
let jobId = '';

beforeAll(async () => {
  if (missing) return;
  [browser, backend] = await Promise.all([launchChromium(), spawnBackend(env)]);
  studio = await openStudio(browser, backend.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  backend?.child.kill('SIGKILL');
});

function setup(ctx: TestContext): StudioPage {
  needs(ctx, missing);
  return studio;
}

/** In the page: every job state and stage state the job panel shows, as it shows them, into window.seen. */
const RECORD_JOB_STATES = `
  window.seen = [];
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid=job-state]')?.textContent;
    const stages = [...document.querySelectorAll('li.stage')].map((li) => li.dataset.stage + ':' + li.dataset.state);
    if (state) window.seen.push(state + ' ' + stages.join(' '));
  }).observe(document.querySelector('#job'), { childList: true, subtree: true, attributes: true });
`;

/** In the page: drags a PNG over the page and drops it; answers whether the drop overlay showed. */
const dropImage = (png: Buffer) => `(() => {
  const bytes = Uint8Array.from(atob('${png.toString('base64')}'), (c) => c.charCodeAt(0));
  const files = new DataTransfer();
  files.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
  document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: files, bubbles: true }));
  const overlay = !document.querySelector('#drop-overlay').hidden;
  document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
  return overlay;
})()`;

/** Pixels of a PNG that differ from the 3D view's background. */
async function drawnPixels(png: Buffer): Promise<{ drawn: number; total: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let drawn = 0;
  for (let i = 0; i < data.length; i += 3) {
    if (Math.abs(data[i]! - BACKGROUND[0]!) + Math.abs(data[i + 1]! - BACKGROUND[1]!) + Math.abs(data[i + 2]! - BACKGROUND[2]!) > 24) drawn += 1;
  }
  return { drawn, total: info.width * info.height };
}

describe('the studio page', () => {
  it('turns an uploaded image into a model: queued, stages one by one, completed, grade and timeline', SLOW, async (ctx) => {
    const { page, errors } = setup(ctx);
    await page.getByTestId('connection').getByText('Connected').waitFor();
    // Jobs ahead of the page's own (distinct images, so the cache answers none of them).
    for (let i = 0; i < 3; i++) {
      expect((await submitImage(backend!.url, await subjectImage('png', 768, 40 + i * 50), { format: 'glb', quality: 'high' })).status).toBe(202);
    }
    // Every job state and stage state the page shows, as it shows them.
    await page.evaluate(RECORD_JOB_STATES);
    await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'subject.png', mimeType: 'image/png', buffer: await subjectImage('png', 128) });
    await page.getByLabel('Format').selectOption('glb');
    await page.getByLabel('Quality').selectOption('low');
    await page.getByRole('button', { name: 'Generate 3D model' }).click();
    await page.getByTestId('job-state').getByText('Completed').waitFor({ timeout: 150_000 });

    const seen = await page.evaluate<string[]>('window.seen');
    expect(seen.some((s) => s.includes('Queued'))).toBe(true);
    expect(seen.some((s) => s.includes('Running') && s.includes(':running'))).toBe(true);
    expect(seen.at(-1)).toContain('Completed');
    const stages = page.locator('li.stage');
    await expect.poll(() => stages.evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-stage')}:${li.getAttribute('data-state')}`))).toEqual([
      'background_removal:done',
      'shape_generation:done',
      'texture_generation:done',
      'export:done',
    ]);
    await expect.poll(() => page.getByTestId('timeline').locator('li[data-stage]').count()).toBe(4);
    expect(await page.getByTestId('grade').textContent()).toMatch(/^Grade (A\+|A|B|C|D|F)$/);
    expect(await page.getByTestId('repairs').textContent()).toMatch(/^Repairs: /);
    jobId = await page.evaluate<string>('sessionStorage.getItem("orfeas.currentJob")');
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('recent-jobs').locator(`li[data-job="${jobId}"] .state`).textContent()).toBe('Completed');
    expect(errors).toEqual([]);
  });

  it('draws the model in 3D and turns it with the keyboard', SLOW, async (ctx) => {
    const { page, errors, shot } = setup(ctx);
    const view = page.getByTestId('model-view');
    await page.locator('[data-testid=model-view][data-ready=true] canvas').waitFor();
    const before = await view.screenshot();
    const { drawn, total } = await drawnPixels(before);
    // The model fills a good part of the view: not a blank canvas, not a single speck.
    expect(drawn / total).toBeGreaterThan(0.05);
    await view.locator('canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Buffer.compare(await view.screenshot(), before)).not.toBe(0);
    await shot('01-model-completed');
    expect(errors).toEqual([]);
  });

  it('downloads the GLB', SLOW, async (ctx) => {
    const { page, errors } = setup(ctx);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download model.glb' }).click()]);
    expect(download.suggestedFilename()).toBe('model.glb');
    const glb = fs.readFileSync(await download.path());
    expect(glb.subarray(0, 4).toString('latin1')).toBe('glTF');
    expect(errors).toEqual([]);
  });

  it('draws an image from a prompt', SLOW, async (ctx) => {
    const { page, errors, shot } = setup(ctx);
    await page.getByLabel('Prompt').fill('a bronze statue of a fox');
    await page.getByLabel('Style').selectOption('watercolor');
    await page.getByLabel('Width (px)').fill('256');
    await page.getByLabel('Height (px)').fill('256');
    await page.getByRole('button', { name: 'Generate image' }).click();
    await page.getByText('Text to image · Watercolor').waitFor();
    await page.getByTestId('job-state').getByText('Completed').waitFor({ timeout: 150_000 });
    const image = page.locator('[data-testid=image-view][data-ready=true] img');
    await image.waitFor();
    expect(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(256);
    await expect.poll(() => page.locator('li.stage').getAttribute('data-state')).toBe('done');
    await shot('02-prompt-completed');
    expect(errors).toEqual([]);
  });

  it('takes an image dropped anywhere on the page', SLOW, async (ctx) => {
    const { page, errors } = setup(ctx);
    expect(await page.evaluate(dropImage(await subjectImage('png', 96, 320)))).toBe(true);
    expect(await page.locator('#drop-overlay').isHidden()).toBe(true);
    await page.getByText(/^dropped\.png \(\d+ KB\)$/).waitFor();
    await page.getByRole('button', { name: 'Generate 3D model' }).click();
    await page.getByTestId('recent-jobs').locator('li').first().getByText('dropped.png → GLB, low').waitFor();
    await page.getByTestId('job-state').getByText('Completed').waitFor({ timeout: 150_000 });
    expect(errors).toEqual([]);
  });

  it('charts the simulated GPUs live and says they are simulated', SLOW, async (ctx) => {
    const { page, errors, shot } = setup(ctx);
    await expect.poll(() => page.getByTestId('gpu-source').textContent()).toContain('Simulated GPUs');
    const chart = page.getByTestId('gpu-chart');
    const points = async () => Number(await chart.getAttribute('data-points'));
    const first = await points();
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThanOrEqual(first + 3);
    expect(await chart.locator('canvas').count()).toBe(4);
    expect(await page.locator('.gpu-devices li').count()).toBeGreaterThan(0);
    // The min / max band is drawn when the backend's snapshots carry the sampler's window.
    const socket = await socketClient(backend!.url);
    const stats = nextEvent(socket, 'gpu_stats', (s: any) => s.hz === 1);
    socket.emit('gpu_subscribe', { hz: 1 });
    const hasWindow = Array.isArray((await stats).window);
    socket.close();
    expect(await chart.getAttribute('data-band')).toBe(String(hasWindow));
    await shot('03-gpu-simulated');
    expect(errors).toEqual([]);
  });

  it('says there is no GPU telemetry, and why, when the GPU is off', SLOW, async (ctx) => {
    needs(ctx, missing);
    const off = await spawnBackend({ ORFEAS_GPU: 'off', ORFEAS_DATA_DIR: tempDataDir() });
    try {
      const { page, errors, shot } = await openStudio(browser!, off.url);
      const none = page.getByTestId('gpu-none');
      await none.getByText('No GPU telemetry').waitFor();
      expect(await none.textContent()).toContain('ORFEAS_GPU=off');
      expect(await page.getByTestId('gpu-source').textContent()).toContain('No GPU telemetry');
      await page.getByTestId('connection').getByText('Connected').waitFor();
      expect(await page.getByTestId('gpu-chart').isHidden()).toBe(true);
      await shot('04-no-gpu');
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      off.child.kill('SIGKILL');
    }
  });

  it('says when the backend is gone, reconnects when it is back, and finds the job again', SLOW, async (ctx) => {
    const { page, errors, shot } = setup(ctx);
    // Back to the model job, by its link in the recent jobs.
    await page.getByTestId('recent-jobs').locator(`li[data-job="${jobId}"] a`).first().click();
    await page.getByTestId('job-state').getByText('Completed').waitFor();
    // Killed once the model is drawn: a download cut off midway is another story.
    await page.locator('[data-testid=model-view][data-ready=true] canvas').waitFor();
    const port = new URL(backend!.url).port;
    backend!.child.kill('SIGKILL');
    await backend!.exited;
    await page.getByTestId('connection').getByText('Disconnected').waitFor();
    // A failed reconnection attempt or two while nothing listens, then the backend is back.
    await page.getByTestId('connection').getByText('attempt 2').waitFor();
    await shot('05-disconnected');
    // Chromium itself logs each refused reconnection as a console error (no page code can
    // stop that); those, and only those, are expected while nothing listens.
    const refusedReconnect = /^console: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/.*net::ERR_CONNECTION_REFUSED/;
    expect(errors.filter((e) => !refusedReconnect.test(e))).toEqual([]);
    errors.length = 0;

    backend = await spawnBackend({ ...env, PORT: port });
    await page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 90_000 });
    const chart = page.getByTestId('gpu-chart');
    const points = Number(await chart.getAttribute('data-points'));
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(points);
    await page.reload();
    await page.getByTestId('connection').getByText('Connected').waitFor();
    expect(await page.locator('.job-id').textContent()).toBe(`Job ${jobId}`);
    await page.getByTestId('job-state').getByText('Completed').waitFor();
    await page.locator('[data-testid=model-view][data-ready=true] canvas').waitFor();
    await shot('06-reconnected-after-reload');
    expect(errors).toEqual([]);
  });

  it('asks for an API key on a 401, keeps it for the tab and uses it for the socket and the files', SLOW, async (ctx) => {
    needs(ctx, missing);
    const secrets = tempDataDir();
    const { key, line } = newApiKey('studio');
    fs.writeFileSync(path.join(secrets, 'api-keys'), `${line}\n`);
    const keyed = await spawnBackend({ ORFEAS_GPU: 'off', ORFEAS_DATA_DIR: tempDataDir(), ORFEAS_API_KEYS_FILE: path.join(secrets, 'api-keys') });
    try {
      const { page, errors, shot } = await openStudio(browser!, keyed.url);
      const dialog = page.getByRole('dialog', { name: 'API key needed' });
      await dialog.waitFor();
      await dialog.getByLabel('API key').fill('orfeas_not-a-key');
      await dialog.getByRole('button', { name: 'Use this key' }).click();
      await dialog.getByText('The key was refused').waitFor();
      await shot('07-api-key-asked');
      await dialog.getByLabel('API key').fill(key);
      await dialog.getByRole('button', { name: 'Use this key' }).click();
      await page.getByTestId('connection').getByText('Connected').waitFor();
      await page.getByTestId('gpu-none').getByText('No GPU telemetry').waitFor();
      expect(await page.evaluate('sessionStorage.getItem("orfeas.apiKey")')).toBe(key);

      await page.getByLabel('Prompt').fill('a lighthouse at dusk');
      await page.getByRole('button', { name: 'Generate image' }).click();
      await page.getByTestId('job-state').getByText('Completed').waitFor({ timeout: 150_000 });
      await page.locator('[data-testid=image-view][data-ready=true] img').waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download .*\.png$/ }).click()]);
      expect(fs.readFileSync(await download.path()).subarray(1, 4).toString('latin1')).toBe('PNG');
      // Chromium logs the 401s that made the page ask (one per request refused before a key); nothing else.
      expect(errors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e))).toEqual([]);
      await page.context().close();
    } finally {
      keyed.child.kill('SIGKILL');
    }
  });
});
