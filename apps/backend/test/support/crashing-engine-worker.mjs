/**
 * A stand-in engine thread for the thread pool's fault tests: a text-to-image `generate` whose
 * prompt is "crash" ends the thread mid-call, "hang" never answers, "spin" holds the thread
 * in a loop that never looks at its messages (an abort cannot reach it), anything else answers
 * with the prompt and this thread's id.
 */
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', (message) => {
  if (message.type !== 'call') return;
  const prompt = message.args[0]?.prompt;
  if (prompt === 'crash') process.exit(3);
  if (prompt === 'hang') return;
  if (prompt === 'spin') for (;;);
  parentPort.postMessage({ type: 'result', id: message.id, result: { prompt, threadId } });
});
parentPort.postMessage({ type: 'ready' });
