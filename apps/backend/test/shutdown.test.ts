/**
 * Graceful shutdown in process: a job whose stage does not finish within the shutdown grace
 * is requeued (without using up an attempt), and the next start runs it to the end. The
 * stage-boundary case is in restart.test.ts (SIGTERM to the built server).
 */
import { expect, it } from 'vitest';
import { startServer, loadConfig } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { startTestServer, submitImage, tempDataDir, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

/** A server on a fresh data directory with one job held in shape_generation. */
async function serverWithHeldJob(hue: number) {
  const dataDir = tempDataDir();
  const control = createEngineControl();
  control.hold.add('shape_generation');
  const entered = control.entered('shape_generation');
  const server = await startTestServer({ ORFEAS_DATA_DIR: dataDir, ORFEAS_SHUTDOWN_GRACE_MS: '100' }, createTestEngines(control));
  const { jobId } = (await (await submitImage(server.url, await subjectImage('png', 64, hue))).json()) as any;
  await entered;
  return { dataDir, control, server, jobId: jobId as string };
}

/** The next start on the same data directory, with engines that do not hold. */
const restartOn = (dataDir: string) => startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', ORFEAS_DATA_DIR: dataDir, ORFEAS_GPU: 'off', LOG_LEVEL: 'silent' }), { engines: createTestEngines() });

it('requeues a job whose stage outlives the shutdown grace, and the next start finishes it', async () => {
  const { dataDir, control, server: first, jobId } = await serverWithHeldJob(77);
  await first.close();
  expect(first.store!.db.open).toBe(false);

  const second = await restartOn(dataDir);
  try {
    const job = await waitForState(second.url, jobId, ['completed', 'failed']);
    expect(job).toMatchObject({ state: 'completed', attempts: 1 });
  } finally {
    await second.close();
  }
  control.release('shape_generation');
});

it('keeps a job cancelled in mid-stage cancelled through a shutdown and the next start', async () => {
  const { dataDir, control, server: first, jobId } = await serverWithHeldJob(78);
  expect((await fetch(`${first.url}/api/v1/jobs/${jobId}`, { method: 'DELETE' })).status).toBe(200);
  await first.close();

  const second = await restartOn(dataDir);
  try {
    const job = (await (await fetch(`${second.url}/api/v1/jobs/${jobId}`)).json()) as any;
    expect(job).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' }, result: null });
    expect(Object.keys(job.stageTimings)).toEqual(['background_removal']);
  } finally {
    await second.close();
  }
  control.release('shape_generation');
});

it('gives the data directory and its queued jobs back when the port is taken', async () => {
  const first = await startTestServer({}, createTestEngines());
  const dataDir = tempDataDir();
  try {
    const busy = loadConfig({ PORT: String(first.port), HOST: '127.0.0.1', ORFEAS_DATA_DIR: dataDir, ORFEAS_GPU: 'off', LOG_LEVEL: 'silent' });
    await expect(startServer(busy, { engines: createTestEngines() })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // The failed start released its lock: the same directory starts on a free port.
    const second = await startTestServer({ ORFEAS_DATA_DIR: dataDir }, createTestEngines());
    await second.close();
  } finally {
    await first.close();
  }
});
