/**
 * Makes an API key: `npm run api-key -w @orfeas/backend -- <name>` prints the key (shown once:
 * give it to the client) and the line to add to the file ORFEAS_API_KEYS_FILE names.
 */
import { newApiKey } from '../auth/api-keys.js';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run api-key -w @orfeas/backend -- <name>');
  process.exit(2);
}
try {
  const { key, line } = newApiKey(name);
  console.log(`key (give it to the client; it is not stored anywhere): ${key}`);
  console.log(`line for ORFEAS_API_KEYS_FILE:\n${line}`);
} catch (err) {
  console.error(`api-key: ${(err as Error).message}`);
  process.exit(2);
}
