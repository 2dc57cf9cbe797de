/** Vitest settings of @orfeas/monitoring. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // promtool, amtool and the Alertmanager start take a few seconds on a busy two-core machine
    // (every package's tests run at once under turbo); the end-to-end tests set their own limits.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
