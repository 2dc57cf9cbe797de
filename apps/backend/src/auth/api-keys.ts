/**
 * API keys (ORFEAS_API_KEYS_FILE): the file holds one line per key, `<name> sha256:<hex>`,
 * the SHA-256 of the key and never the key itself (`npm run api-key -w @orfeas/backend -- <name>`
 * makes one). A presented key is hashed and compared with every stored hash in constant time,
 * so neither a match nor its position can be read from how long the answer takes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

export interface ApiKeys {
  /** The name of the key presented, or undefined when it is none of them. */
  verify(key: string): string | undefined;
  readonly size: number;
}

const LINE = /^([A-Za-z0-9._-]{1,64})\s+sha256:([0-9a-f]{64})$/;

export const hashKey = (key: string) => crypto.createHash('sha256').update(key, 'utf8').digest();

/** A new random key, and its line for the keys file. */
export function newApiKey(name: string): { key: string; line: string } {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error(`a key name is 1 to 64 letters, digits, dots, dashes or underscores, not ${JSON.stringify(name)}`);
  const key = `orfeas_${crypto.randomBytes(32).toString('base64url')}`;
  return { key, line: `${name} sha256:${hashKey(key).toString('hex')}` };
}

/** Reads a keys file; throws naming the line that is wrong. */
export function loadApiKeys(file: string): ApiKeys {
  const entries: { name: string; hash: Buffer }[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const match = LINE.exec(line);
      if (!match) throw new Error(`${file} line ${i + 1}: expected "<name> sha256:<64 hex digits>" (make one with npm run api-key)`);
      entries.push({ name: match[1]!, hash: Buffer.from(match[2]!, 'hex') });
    });
  if (entries.length === 0) throw new Error(`${file} holds no key: add a line "<name> sha256:<64 hex digits>"`);
  return {
    size: entries.length,
    verify(key) {
      const presented = hashKey(key);
      let found: string | undefined;
      // Every entry is compared, matched or not: the time does not depend on which one matches.
      for (const entry of entries) if (crypto.timingSafeEqual(presented, entry.hash) && found === undefined) found = entry.name;
      return found;
    },
  };
}
