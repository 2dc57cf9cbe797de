/**
 * Runs a code block of the package's README as it is written there: the package's imports are
 * pointed at its sources, the port is a free one, and the names the test needs are exported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

// The package's entry points (package.json "exports") as source files.
const ENTRY_SOURCES: Record<string, string> = {
  '': 'src/index.ts',
  '/catalog': 'src/catalog.ts',
  '/hono': 'src/hono/index.ts',
  '/http': 'src/http/index.ts',
  '/socketio': 'src/socketio/index.ts',
  '/system': 'src/system/index.ts',
};

/** The ts block after `<!-- {marker} ... -->` in README.md. */
export function readmeBlock(marker: string): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- ${marker}[^>]*-->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1];
  if (!block) throw new Error(`README.md has no ts block marked "<!-- ${marker}"`);
  return block;
}

/**
 * Imports the block as a module, with `replacements` applied (e.g. the port) and `exported`
 * names exported; the module is deleted again once imported.
 */
export async function importBlock<T>(block: string, replacements: [string, string][], exported: string[]): Promise<T> {
  let code = block.replace(/from '@orfeas\/metrics(\/\w+)?';/g, (_, entry: string | undefined) => {
    const source = ENTRY_SOURCES[entry ?? ''];
    if (!source) throw new Error(`README imports @orfeas/metrics${entry}, which package.json does not export`);
    return `from ${JSON.stringify(path.join(root, source))};`;
  });
  for (const [from, to] of replacements) {
    if (!code.includes(from)) throw new Error(`the README block no longer contains ${from}`);
    code = code.replace(from, to);
  }
  code += `\nexport { ${exported.join(', ')} };\n`;
  const dir = mkdtempSync(path.join(tmpdir(), 'orfeas-readme-'));
  try {
    writeFileSync(path.join(dir, 'example.ts'), code);
    return (await import(path.join(dir, 'example.ts'))) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
