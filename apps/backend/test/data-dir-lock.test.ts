/**
 * One backend per data directory, with a lock the operating system releases when its holder
 * dies: a second live backend is refused, naming the directory and the holder; after a
 * SIGKILL the next start goes ahead even though the pid left behind belongs to a live process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { spawnBackend, type BackendProcess } from './support/process.js';
import { tempDataDir } from './support/server.js';

const started: BackendProcess[] = [];
afterEach(() => {
  for (const backend of started.splice(0)) backend.child.kill('SIGKILL');
});
const start = async (env: Record<string, string>) => {
  const backend = await spawnBackend(env);
  started.push(backend);
  return backend;
};

it('refuses a second live backend on the same data directory, and starts after the holder is killed', async () => {
  const dataDir = tempDataDir();
  const first = await start({ ORFEAS_DATA_DIR: dataDir });
  await expect(start({ ORFEAS_DATA_DIR: dataDir })).rejects.toThrow(
    `the data directory ${dataDir} is in use by another ORFEAS backend (process ${first.child.pid})`,
  );
  expect((await fetch(`${first.url}/health`)).status).toBe(200);

  first.child.kill('SIGKILL');
  await first.exited;
  // The pid left behind now names a live, unrelated process (here: this test runner).
  fs.writeFileSync(path.join(dataDir, 'orfeas.pid'), `${process.pid}\n`);
  const next = await start({ ORFEAS_DATA_DIR: dataDir });
  expect((await fetch(`${next.url}/ready`)).status).toBe(200);
});
