/** Vitest settings of @orfeas/metrics. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The socket.io tests throw from listeners on purpose, to show the instrumentation lets
    // the failure reach the process exactly as before; those errors say so in their message.
    onUnhandledError: (error) => !String(error.message).startsWith('expected by test:'),
  },
});
