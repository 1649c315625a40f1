/**
 * Measures the command side over HTTP: `node apps/shop/dist/load/commands.js [--count 2000] [--concurrency 50]
 * [--url http://127.0.0.1:8080]`. Each of `--concurrency` clients sends ADD commands for one product in a loop
 * (`POST /v1/inventory/{product}/commands`, then `GET /v1/commands/{id}?timeout=`) and times POST → result; at the
 * end it prints commands per second and latency percentiles. Only talks to `--url`.
 */
import { parseArgs } from 'node:util';
import { LatencyStats } from './stats.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('Usage: node apps/shop/dist/load/commands.js [--count 2000] [--concurrency 50] [--url http://127.0.0.1:8080]');
  process.exit(2);
}
const url = values.url;
// A GTIN of the run's own: the measurement never touches a real product's stock.
const product = `7${String(Date.now()).slice(-13)}`;
const latency = new LatencyStats();
let failed = 0;
let next = 0;

async function client(): Promise<void> {
  while (next < count) {
    next += 1;
    const started = performance.now();
    const posted = await fetch(`${url}/v1/inventory/${product}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'ADD', quantity: 1 }),
    });
    const location = posted.headers.get('location');
    await posted.arrayBuffer();
    if (posted.status !== 202 || location === null) {
      failed += 1;
      continue;
    }
    const result = await fetch(`${url}${location}?timeout=30000`);
    await result.arrayBuffer();
    if (result.status === 200) latency.add(performance.now() - started);
    else failed += 1;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, () => client()));
const seconds = (performance.now() - started) / 1000;
const ms = (p: number): string => latency.percentile(p).toFixed(0);
console.log(
  `${latency.count} commands answered in ${seconds.toFixed(1)} s: ${(latency.count / seconds).toFixed(0)} commands/s; ` +
    `POST → result p50 ${ms(50)} ms, p95 ${ms(95)} ms, p99 ${ms(99)} ms, max ${ms(100)} ms; ${failed} failed`,
);
