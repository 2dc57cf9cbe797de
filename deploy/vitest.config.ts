/** Vitest settings of @orfeas/deploy: building an image or installing packages takes minutes. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 1_200_000,
    // One file at a time: the image build and the package install each want both cores.
    fileParallelism: false,
  },
});
