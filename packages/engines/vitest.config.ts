import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The CPU stages take about 0.5 s here; a shared 2-core CI machine can be many times slower,
    // so vitest's 5 s default would fail slow runs, not wrong ones.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
