// Gathers bench/results/*.json into bench/results/README.md, one table per benchmark.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../bench/results/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const lines = ['# Benchmark results', '', 'Written by `npm run bench`. Ratios compare with a baseline measured in the same run on the same machine.', ''];
for (const file of files) {
  const result = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  lines.push(`## ${result.name}`, '', result.description ?? '', '', `Run ${result.date} on ${result.machine ?? 'this machine'}.`, '');
  if (result.note) lines.push(`Note: ${result.note}`, '');
  lines.push('| case | value | unit | vs baseline | target | met |', '|---|---|---|---|---|---|');
  for (const row of result.rows ?? []) {
    const ratio = row.ratio === undefined ? '' : `${(row.ratio * 100).toFixed(1)}%`;
    const met = row.met === undefined ? '' : row.met ? 'yes' : 'no';
    lines.push(`| ${row.case} | ${fmt(row.value)} | ${row.unit ?? ''} | ${ratio} | ${row.target ?? ''} | ${met} |`);
  }
  lines.push('');
}
writeFileSync(join(dir, 'README.md'), lines.join('\n'));
console.log(`bench: ${files.length} result files -> bench/results/README.md`);

function fmt(v) {
  if (typeof v !== 'number') return String(v ?? '');
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}
