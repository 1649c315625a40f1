/**
 * Load generator for a running shop: starts `--rate` orders per second for `--duration` seconds (each with a
 * payment), long-polls every order's outcome, prints progress each second and, at the end, latency percentiles
 * (POST → VALIDATED/FAILED) and throughput. It only ever talks to `--url` (default: the local shop).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { PRODUCTS, type Order } from '../schemas.js';
import { httpCall } from './http-client.js';
import { parseLoadOptions, USAGE, type LoadOptions } from './options.js';
import { LatencyStats } from './stats.js';

/** Keeps memory bounded if the shop falls far behind. */
const MAX_IN_FLIGHT = 10_000;
/** Few enough to register up front, many enough that no customer's session nears the fraud limit. */
const CUSTOMERS = 1_000;
/** Why orders failed, for the summary. */
const errorReasons = new Map<string, number>();

interface Counters {
  started: number;
  /** Orders the shop took (`201` to the POST). */
  accepted: number;
  validated: number;
  failed: number;
  errors: number;
  timeouts: number;
  inFlight: number;
}

async function request(options: LoadOptions, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, options.url);
  // Long polls are answered within their timeout; anything silent well past it was lost.
  const idleTimeoutMs = options.timeoutMs + 30_000;
  let res = await httpCall(url, method, body, idleTimeoutMs);
  // The shop bounds held long polls per client: a 503 with Retry-After asks to come back, as a polite client does.
  while (res.status === 503 && res.retryAfter !== undefined) {
    await new Promise((r) => setTimeout(r, Math.max(50, Number(res.retryAfter) * 1000 || 1000)));
    res = await httpCall(url, method, body, idleTimeoutMs);
  }
  let json: unknown = undefined;
  try {
    json = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    json = res.text;
  }
  return { status: res.status, json };
}

/** Where each outcome is written when `--latency-log` is given: the run's start, and the file. */
interface OutcomeLog {
  readonly t0: number;
  readonly out: WriteStream;
}

async function placeOne(options: LoadOptions, runId: string, n: number, counters: Counters, latency: LatencyStats, log: OutcomeLog | undefined): Promise<void> {
  const id = `load-${runId}-${n}`;
  const order: Omit<Order, 'state'> = {
    id,
    customerId: Math.floor(Math.random() * CUSTOMERS),
    product: PRODUCTS[n % PRODUCTS.length] ?? 'JUMPERS',
    quantity: 1,
    price: 1 + Math.floor(Math.random() * 10),
  };
  const started = performance.now();
  try {
    const posted = await request(options, 'POST', '/v1/orders', order);
    if (posted.status !== 201) throw new Error(`POST /v1/orders answered ${posted.status}`);
    counters.accepted++;
    if (options.payments) {
      const paid = await request(options, 'POST', '/v1/payments', { id: `pay-${id}`, orderId: id, ccy: 'EUR', amount: order.quantity * order.price });
      if (paid.status !== 201) throw new Error(`POST /v1/payments answered ${paid.status}`);
    }
    const outcome = await request(options, 'GET', `/v1/orders/${encodeURIComponent(id)}/validated?timeout=${options.timeoutMs}`);
    if (outcome.status === 504) {
      counters.timeouts++;
      return;
    }
    if (outcome.status !== 200) throw new Error(`GET /validated answered ${outcome.status}`);
    const tookMs = performance.now() - started;
    latency.add(tookMs);
    log?.out.write(`${(started - log.t0).toFixed(0)},${tookMs.toFixed(1)}\n`);
    if ((outcome.json as Partial<Order> | undefined)?.state === 'VALIDATED') counters.validated++;
    else counters.failed++;
  } catch (error) {
    counters.errors++;
    const reason = error instanceof Error ? error.message : String(error);
    if (counters.errors <= 5) console.error(`order ${id}: ${reason}`);
    // A handful of distinct reasons (statuses, socket errors): counted for the summary.
    if (errorReasons.size < 20 || errorReasons.has(reason)) errorReasons.set(reason, (errorReasons.get(reason) ?? 0) + 1);
  } finally {
    counters.inFlight--;
  }
}

/** The email service only mails customers it knows. */
async function registerCustomers(options: LoadOptions): Promise<void> {
  for (let first = 0; first < CUSTOMERS; first += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, CUSTOMERS - first) }, (_, i) => {
        const id = first + i;
        return request(options, 'POST', '/v1/customers', {
          id,
          firstName: 'Load',
          lastName: `Customer ${id}`,
          email: `customer-${id}@load.invalid`,
          address: 'n/a',
          level: (['platinum', 'gold', 'silver', 'bronze'] as const)[id % 4],
        });
      }),
    );
  }
}

const fmt = (ms: number): string => (Number.isNaN(ms) ? '-' : `${ms.toFixed(1)}ms`);

async function run(options: LoadOptions): Promise<void> {
  const health = await request(options, 'GET', '/health').catch((error: unknown) => {
    throw new Error(`Cannot reach the shop at ${options.url.href}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (health.status !== 200) throw new Error(`The shop at ${options.url.href} is not healthy (GET /health answered ${health.status})`);
  if (options.stock) {
    for (const product of PRODUCTS) await request(options, 'PUT', `/v1/inventory/${product}`, { quantity: 1_000_000_000 });
  }
  if (options.payments) await registerCustomers(options);
  const runId = randomUUID().slice(0, 8);
  const counters: Counters = { started: 0, accepted: 0, validated: 0, failed: 0, errors: 0, timeouts: 0, inFlight: 0 };
  const latency = new LatencyStats();
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  const log = options.latencyLog === undefined ? undefined : { t0, out: createWriteStream(options.latencyLog) };
  log?.out.write('started_ms,latency_ms\n');
  const endAt = t0 + options.durationS * 1000;
  console.log(`shop load: ${options.rate} orders/s for ${options.durationS}s against ${options.url.href} (run ${runId})`);

  let lastReport = t0;
  let lastDone = 0;
  const report = (now: number): void => {
    const done = counters.validated + counters.failed;
    const rate = ((done - lastDone) * 1000) / Math.max(1, now - lastReport);
    lastDone = done;
    lastReport = now;
    console.log(
      `t=${((now - t0) / 1000).toFixed(0)}s started=${counters.started} validated=${counters.validated} failed=${counters.failed} ` +
        `timeouts=${counters.timeouts} errors=${counters.errors} in-flight=${counters.inFlight} done/s=${rate.toFixed(0)} ` +
        `p50=${fmt(latency.percentile(50))} p99=${fmt(latency.percentile(99))}`,
    );
  };
  const ticker = setInterval(() => report(performance.now()), 1000);
  try {
    // Open loop: orders start on schedule whether or not earlier ones are answered (up to MAX_IN_FLIGHT).
    while (performance.now() < endAt) {
      const due = Math.floor(((performance.now() - t0) * options.rate) / 1000);
      while (counters.started < due && counters.inFlight < MAX_IN_FLIGHT) {
        counters.started++;
        counters.inFlight++;
        const p = placeOne(options, runId, counters.started, counters, latency, log);
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all([...pending]);
  } finally {
    clearInterval(ticker);
    if (log) await new Promise((resolve) => log.out.end(resolve));
  }
  const elapsedS = (performance.now() - t0) / 1000;
  const done = counters.validated + counters.failed;
  console.log('---');
  console.log(
    `orders: ${counters.started} started, ${counters.accepted} accepted, ${counters.validated} VALIDATED, ${counters.failed} FAILED, ` +
      `${counters.timeouts} timed out, ${counters.errors} errors`,
  );
  if (errorReasons.size > 0) console.log(`errors by reason: ${[...errorReasons].map(([reason, n]) => `${reason} × ${n}`).join('; ')}`);
  console.log(`latency POST -> outcome: p50=${fmt(latency.percentile(50))} p95=${fmt(latency.percentile(95))} p99=${fmt(latency.percentile(99))} max=${fmt(latency.percentile(100))}`);
  console.log(`throughput: ${(done / elapsedS).toFixed(1)} outcomes/s over ${elapsedS.toFixed(1)}s`);
}

let options: LoadOptions;
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  if (!(error instanceof Error && error.message === USAGE)) console.error(USAGE);
  process.exit(2);
}
run(options).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
