/** The workspace folders the root package.json names (`dir` or `dir/*` patterns), each holding a package.json. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export function workspaceDirs(rootManifest: URL): string[] {
  const root = dirname(fileURLToPath(rootManifest));
  const patterns = (JSON.parse(readFileSync(rootManifest, 'utf8')) as { workspaces: string[] }).workspaces;
  return patterns
    .flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
        : [pattern],
    )
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .sort();
}
