/**
 * (a) Hono hello-world requests/s: bare vs an empty middleware vs instrumented (httpMetrics) vs
 * @hono/prometheus, each served by @hono/node-server in its own child process and loaded from
 * this one. The servers run side by side and the load moves between them in short slices, order rotating,
 * so the other work of a shared machine falls on all of them alike; each round's rates are
 * compared with that round's bare rate and the medians reported.
 */
import { fork } from 'node:child_process';
import { load } from './load.mjs';
import { median, round, writeResult } from './result.mjs';

const VARIANTS = ['bare', 'empty-middleware', 'instrumented', 'hono-prometheus'];
const ROUNDS = 8;
const SLICE_SECONDS = 1.5;

export async function benchHttp() {
  const servers = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await start(v)])));
  try {
    for (const server of Object.values(servers)) await load(server.port, { seconds: 1 });
    const rates = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    const cpu = Object.fromEntries(VARIANTS.map((v) => [v, { seconds: 0, requests: 0 }]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const variant of [...VARIANTS.slice(r % VARIANTS.length), ...VARIANTS.slice(0, r % VARIANTS.length)]) {
        const before = await cpuSeconds(servers[variant].child);
        const run = await load(servers[variant].port, { seconds: SLICE_SECONDS });
        if (run.errors > 0) throw new Error(`${variant}: ${run.errors} failed requests`);
        cpu[variant].seconds += (await cpuSeconds(servers[variant].child)) - before;
        cpu[variant].requests += run.completed;
        rates[variant].push(run.completed / run.seconds);
      }
    }
    const recorded = await requestsRecorded(servers.instrumented.port);
    if (!(recorded >= cpu.instrumented.requests)) throw new Error(`the instrumented server recorded ${recorded} requests of ${cpu.instrumented.requests}`);
    writeResult('metrics-http.json', {
      name: 'metrics-http',
      description: `Hono hello-world on @hono/node-server, requests/s from 16 keep-alive connections: ${ROUNDS} rounds of ${SLICE_SECONDS} s slices alternating between the servers; ratio = median over rounds of the rate against the same round's bare rate. Empty middleware = app.use(async (c, next) => { await next() }), the floor of any Hono middleware (it moves Hono off its single-handler fast path). Instrumented = @orfeas/metrics httpMetrics (5 HTTP metrics) + prom-client default metrics; @hono/prometheus = its registerMetrics (2 metrics) + default metrics. Requests per CPU-second of the server process reported too, as the shared machine's load moves wall-clock rates.`,
      rows: [
        ...VARIANTS.map((variant) => {
          const ratio = median(rates[variant].map((rate, i) => rate / rates.bare[i]));
          const row = { case: `${variant}: wall-clock`, value: round(median(rates[variant])), unit: 'req/s', ratio: round(ratio) };
          return variant === 'instrumented' ? { ...row, target: '>= 0.95 of bare', met: ratio >= 0.95 } : row;
        }),
        ...VARIANTS.map((variant) => {
          const perCpu = cpu[variant].requests / cpu[variant].seconds;
          const ratio = perCpu / (cpu.bare.requests / cpu.bare.seconds);
          const row = { case: `${variant}: per server CPU-second`, value: round(perCpu), unit: 'req/cpu-s', ratio: round(ratio) };
          return variant === 'instrumented' ? { ...row, target: '>= 0.95 of bare', met: ratio >= 0.95 } : row;
        }),
        versus('instrumented vs @hono/prometheus: wall-clock', median(rates.instrumented.map((rate, i) => rate / rates['hono-prometheus'][i]))),
        versus('instrumented vs @hono/prometheus: per CPU-second', (cpu.instrumented.requests / cpu.instrumented.seconds) / (cpu['hono-prometheus'].requests / cpu['hono-prometheus'].seconds)),
      ],
    });
  } finally {
    for (const server of Object.values(servers)) server.child.kill();
  }
}

function versus(name, ratio) {
  return { case: name, value: round(ratio), unit: 'ratio', ratio: round(ratio), target: '>= 1.0', met: ratio >= 1 };
}

function start(variant) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./http-server.mjs', import.meta.url), [variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
}

function cpuSeconds(child) {
  return new Promise((resolve) => {
    child.once('message', ({ cpu }) => resolve(cpu));
    child.send('cpu');
  });
}

async function requestsRecorded(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^http_requests_total\{method="GET",route="\/",status="200"\} (\d+)/m.exec(text)?.[1]);
}
