import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { DataDirInUseError, JobStore } from './index.js';

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'orfeas-store-test-'));
const newJob = (id: string) => ({
  id,
  type: 'text_to_image' as const,
  params: { prompt: 'p', style: 'sketch', width: 64, height: 64, seed: 1 },
  inputPath: null,
  cacheKey: `key-${id}`,
});

it('keeps one service per data directory, and names the directory and the holder', () => {
  const dir = dataDir();
  const store = JobStore.open(dir);
  expect(() => JobStore.open(dir)).toThrow(DataDirInUseError);
  expect(() => JobStore.open(dir)).toThrow(`the data directory ${dir} is in use by another ORFEAS backend (process ${process.pid})`);
  store.close();
  JobStore.open(dir).close();
});

it('starts over a stale lock whose pid now belongs to an unrelated live process (PID 1 after a container restart)', () => {
  const dir = dataDir();
  // What an earlier version, or a holder killed with SIGKILL, leaves behind: pids that are alive again.
  fs.writeFileSync(path.join(dir, 'orfeas.lock'), '1');
  fs.writeFileSync(path.join(dir, 'orfeas.pid'), `${process.ppid}\n`);
  const store = JobStore.open(dir);
  expect(fs.existsSync(path.join(dir, 'orfeas.lock'))).toBe(false);
  store.close();
});

it('hands out queued jobs in order and puts running ones back at the next open', () => {
  const dir = dataDir();
  let store = JobStore.open(dir);
  store.insert(newJob('a'));
  store.insert(newJob('b'));
  expect(store.claimNext()?.job).toMatchObject({ id: 'a', state: 'running', attempts: 1 });
  store.close();

  store = JobStore.open(dir);
  expect(store.requeueRunning()).toBe(1);
  expect(store.claimNext()?.job).toMatchObject({ id: 'a', attempts: 2 });
  expect(store.claimNext()?.job.id).toBe('b');
  expect(store.claimNext()).toBeUndefined();
  store.close();
});

it('never turns a finished job into another end state', () => {
  const store = JobStore.open(dataDir());
  store.insert(newJob('done'));
  store.claimNext();
  const result = { files: [], format: 'png' } as unknown as Parameters<JobStore['complete']>[1];
  expect(store.complete('done', result, null, {})).toBe(true);
  expect(store.finish('done', 'failed', { code: 'late', message: 'an error after completion' }, {})).toBe(false);
  expect(store.get('done')).toMatchObject({ state: 'completed', error: null });
  store.close();
});
