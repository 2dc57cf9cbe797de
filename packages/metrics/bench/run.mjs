/**
 * The @orfeas/metrics benchmarks (run after build): HTTP middleware overhead, socket.io
 * instrumentation overhead, /metrics serialization and the cost of native histogram observations.
 * `node bench/run.mjs [http|socketio|scrape|observe]`.
 */
import { benchHttp } from './http.mjs';
import { benchObserve } from './observe.mjs';
import { benchScrape } from './scrape.mjs';
import { benchSocketIO } from './socketio.mjs';

const benches = { http: benchHttp, socketio: benchSocketIO, scrape: benchScrape, observe: benchObserve };
const chosen = process.argv.slice(2);
for (const name of chosen.length ? chosen : Object.keys(benches)) {
  if (!benches[name]) throw new Error(`unknown benchmark ${name}: ${Object.keys(benches).join(', ')}`);
  const started = performance.now();
  console.log(`bench ${name}`);
  await benches[name]();
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
