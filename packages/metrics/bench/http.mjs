/**
 * (a) Hono hello-world requests/s: bare vs an empty middleware vs instrumented (the httpMetrics
 * middleware) vs instrumented-wrapper (instrument(app), no middleware) vs @hono/prometheus, each
 * served by @hono/node-server in its own child process and loaded from this one. The servers run
 * side by side and the load moves between them in short slices, order rotating, so the other
 * work of a shared machine falls on all of them alike; each round's rates are compared with that
 * round's bare rate and the medians reported. Both recording servers must have recorded every
 * request they answered, and its response size.
 */
import { fork } from 'node:child_process';
import { load } from './load.mjs';
import { median, round, writeResult } from './result.mjs';

const VARIANTS = ['bare', 'empty-middleware', 'instrumented', 'instrumented-wrapper', 'hono-prometheus'];
const RECORDING = ['instrumented', 'instrumented-wrapper'];
const TARGETED = 'instrumented-wrapper';
const ROUNDS = 16;
const SLICE_SECONDS = 1;

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
    for (const variant of RECORDING) {
      const { requests, responses } = await requestsRecorded(servers[variant].port);
      const served = cpu[variant].requests;
      if (!(requests >= served && responses >= served)) throw new Error(`the ${variant} server recorded ${requests} requests and ${responses} response sizes of ${served}`);
    }
    writeResult('metrics-http.json', {
      name: 'metrics-http',
      description: `Hono hello-world on @hono/node-server, requests/s from 16 keep-alive connections: ${ROUNDS} rounds of ${SLICE_SECONDS} s slices alternating between the servers; ratio = median over rounds of the rate against the same round's bare rate. Empty middleware = app.use(async (c, next) => { await next() }), the floor of any Hono middleware (it moves Hono off its single-handler fast path). Instrumented = the @orfeas/metrics httpMetrics middleware (5 HTTP metrics) + prom-client default metrics; instrumented-wrapper = instrument(app) from @orfeas/metrics, the same 5 metrics recorded around app.fetch, no middleware; @hono/prometheus = its registerMetrics (2 metrics) + default metrics. Requests per CPU-second of the server process reported too, as the shared machine's load moves wall-clock rates.`,
      rows: [
        ...VARIANTS.map((variant) => {
          const ratio = median(rates[variant].map((rate, i) => rate / rates.bare[i]));
          const row = { case: `${variant}: wall-clock`, value: round(median(rates[variant])), unit: 'req/s', ratio: round(ratio) };
          return variant === TARGETED ? { ...row, target: '>= 0.95 of bare', met: ratio >= 0.95 } : row;
        }),
        ...VARIANTS.map((variant) => {
          const ratio = perCpu(cpu[variant]) / perCpu(cpu.bare);
          const row = { case: `${variant}: per server CPU-second`, value: round(perCpu(cpu[variant])), unit: 'req/cpu-s', ratio: round(ratio) };
          return variant === TARGETED ? { ...row, target: '>= 0.95 of bare', met: ratio >= 0.95 } : row;
        }),
        ...RECORDING.flatMap((variant) => [
          versus(`${variant} vs @hono/prometheus: wall-clock`, median(rates[variant].map((rate, i) => rate / rates['hono-prometheus'][i]))),
          versus(`${variant} vs @hono/prometheus: per CPU-second`, perCpu(cpu[variant]) / perCpu(cpu['hono-prometheus'])),
        ]),
      ],
    });
  } finally {
    for (const server of Object.values(servers)) server.child.kill();
  }
}

const perCpu = ({ requests, seconds }) => requests / seconds;

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

/** What a server recorded of the load: requests counted and response sizes observed. */
async function requestsRecorded(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const requests = Number(/^http_requests_total\{method="GET",route="\/",status="200"\} (\d+)/m.exec(text)?.[1]);
  const responses = Number(/^http_response_size_bytes_count\{method="GET",route="\/"\} (\d+)/m.exec(text)?.[1]);
  return { requests, responses };
}
