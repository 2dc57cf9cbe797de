/** Writes one benchmark's result file to the repository's bench/results, and the statistics it reports. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const RESULTS = new URL('../../../bench/results/', import.meta.url);

export function writeResult(file, { name, description, rows }) {
  mkdirSync(RESULTS, { recursive: true });
  const machine = `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const result = { name, description, date: new Date().toISOString(), machine, rows };
  writeFileSync(new URL(file, RESULTS), `${JSON.stringify(result, null, 2)}\n`);
  for (const row of rows) {
    const ratio = row.ratio === undefined ? '' : ` (${(row.ratio * 100).toFixed(1)}%${row.target ? `, target ${row.target}: ${row.met ? 'met' : 'MISSED'}` : ''})`;
    const plain = row.ratio === undefined && row.target ? ` (target ${row.target}: ${row.met ? 'met' : 'MISSED'})` : '';
    console.log(`  ${row.case}: ${row.value} ${row.unit}${ratio}${plain}`);
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round = (value, digits = 3) => Number(value.toPrecision(digits));
