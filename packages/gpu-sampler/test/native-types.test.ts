/** The hand-written public types agree with the addon's generated index.d.ts. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeNative } from './support/sim.js';

describeNative('types', () => {
  it('match the generated native/index.d.ts', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const project = fileURLToPath(new URL('./native-types/tsconfig.json', import.meta.url));
    const run = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000); // tsc on a loaded 2-core machine
});
