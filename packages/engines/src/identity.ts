/**
 * An engine's identity: its name, this package's version and every setting that changes what
 * it makes (a model server's URL and parameters). Results are cached under it, so a result is
 * never served for a request another engine, version or setting would answer differently.
 */
import fs from 'node:fs';

/** This package's version, read from its package.json (one level above src/ and dist/). */
export const ENGINES_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function engineIdentity(name: string, settings: Record<string, unknown> = {}): string {
  const defined = Object.keys(settings)
    .filter((key) => settings[key] !== undefined)
    .sort()
    .map((key) => [key, settings[key]]);
  return `${name}@${ENGINES_VERSION}${defined.length ? ` ${JSON.stringify(Object.fromEntries(defined))}` : ''}`;
}
