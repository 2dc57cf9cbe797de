/**
 * Runs the real backend (`node apps/backend/dist/main.js`, found through the @orfeas/backend
 * package) on a free loopback port with a temporary data directory (or a fleet's shared one)
 * and the simulated GPU, and waits for GET /ready. A missing build is an error that says what
 * to build.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, startProcess, tempDir, waitForHttp } from '../../stack/processes.mjs';

export interface Backend {
  url: string;
  host: string;
  dataDir: string;
  /** Its last lines of output, and how it ended if it has. */
  output(): string;
  stop(): Promise<void>;
}

/** apps/backend/dist/main.js, resolved through the workspace package. */
export function backendMain(): string {
  const packageJson = createRequire(import.meta.url).resolve('@orfeas/backend/package.json');
  return join(dirname(packageJson), 'dist', 'main.js');
}

/**
 * @param env added to (and overriding) the defaults below
 * @param options.dataDir a data directory the caller owns (a fleet's shared one), kept on stop;
 *   a temporary one, removed on stop, otherwise
 */
export async function startBackend(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<Backend> {
  const main = backendMain();
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: build the backend first (npx turbo run build --filter=@orfeas/backend...)`);
  }
  const port = await freePort();
  const data = options.dataDir ? { path: options.dataDir, remove: () => {} } : tempDir('orfeas-e2e-data-');
  const backend = startProcess('backend', process.execPath, [main], {
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      ORFEAS_DATA_DIR: data.path,
      ORFEAS_GPU: 'sim',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      ...env,
    },
    keepLines: 200,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/ready`, { process: backend, timeoutMs: 60_000 });
  } catch (error) {
    await backend.stop();
    data.remove();
    throw error;
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    dataDir: data.path,
    output: () => `${backend.output()}${backend.exited ? `\n(backend exited: ${backend.exited})` : ''}`,
    stop: async () => {
      await backend.stop();
      data.remove();
    },
  };
}
