/** Vitest settings of @orfeas/gpu-sampler. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests wait on what the sampler produced (with their own deadlines), not fixed sleeps; on
    // a loaded 2-core CI machine that can take far longer than vitest's default 5 s.
    testTimeout: 60_000,
  },
});
