/**
 * After `vite build`: the gzipped size of the JavaScript index.html loads up front (its
 * module scripts and modulepreloads); the build fails above the budget. Chunks loaded
 * later (the 3D viewer) are listed apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 300 * 1024;
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const firstLoad = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
if (firstLoad.size === 0) throw new Error(`${path.join(dist, 'index.html')} references no script under /assets/`);

const gz = (file) => gzipSync(fs.readFileSync(path.join(dist, file))).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
let total = 0;
for (const file of firstLoad) {
  const size = gz(file);
  total += size;
  console.log(`  first load  ${file}  ${kb(size)} gz`);
}
for (const file of fs.readdirSync(path.join(dist, 'assets'))) {
  if (file.endsWith('.js') && !firstLoad.has(`assets/${file}`)) console.log(`  on demand   assets/${file}  ${kb(gz(`assets/${file}`))} gz`);
}
console.log(`first-load JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error(`over budget by ${kb(total - BUDGET_BYTES)}: load more of the page on demand (import()) or drop a dependency`);
  process.exit(1);
}
