/**
 * Vite: `vite build` writes the static page the backend serves at / (hashed files under
 * /assets/); `vite` (turbo dev) serves it with hot reload beside the backend on :5000.
 */
import { defineConfig } from 'vite';

const BACKEND = process.env.ORFEAS_BACKEND_URL ?? 'http://localhost:5000';

export default defineConfig({
  base: '/',
  // The 3D viewer chunk (three.js) is loaded on demand; scripts/report-size.mjs holds the first-load budget.
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: {
      '/api': BACKEND,
      '/socket.io': { target: BACKEND, ws: true },
      '/openapi.json': BACKEND,
      '/health': BACKEND,
    },
  },
});
