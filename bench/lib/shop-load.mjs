/**
 * The reference shop under its own load generator: the shop (all services in one process) on the embedded log or on
 * the benchmark's broker, `npm run shop:load` against it at a fixed rate, and the percentiles it reports
 * (POST /v1/orders → VALIDATED/FAILED) parsed from its closing lines.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runToEnd, startChild, stopChild } from './proc.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Parses the load generator's summary lines. */
export function parseLoadSummary(text) {
  // `accepted` (POSTs answered 201) is absent from the summaries of older load generators.
  const orders = /orders: (\d+) started, (?:(\d+) accepted, )?(\d+) VALIDATED, (\d+) FAILED, (\d+) timed out, (\d+) errors/.exec(text);
  const lat = /latency POST -> outcome: p50=([\d.]+)ms p95=([\d.]+)ms p99=([\d.]+)ms max=([\d.]+)ms/.exec(text);
  const tput = /throughput: ([\d.]+) outcomes\/s/.exec(text);
  const reasons = /errors by reason: (.*)/.exec(text);
  if (!orders || !lat || !tput) return undefined;
  return {
    started: Number(orders[1]),
    accepted: orders[2] === undefined ? undefined : Number(orders[2]),
    validated: Number(orders[3]),
    failed: Number(orders[4]),
    timeouts: Number(orders[5]),
    errors: Number(orders[6]),
    p50: Number(lat[1]),
    p95: Number(lat[2]),
    p99: Number(lat[3]),
    max: Number(lat[4]),
    outcomesPerSec: Number(tput[1]),
    ...(reasons ? { errorReasons: reasons[1] } : {}),
  };
}

/**
 * What `npm start` sets for the shop process (unless the environment sets it), for every harness that starts the shop.
 * UV_THREADPOOL_SIZE: on Kafka each app's consumer holds a libuv worker while it waits for records, and with libuv's
 * default 4 workers every producer flush and transaction call queues behind them (left out, the Kafka shop row
 * measured that queue: p50 ≈ 3 s at 2 orders/s). MALLOC_MMAP_THRESHOLD_: glibc's fixed 128 KiB mmap threshold (its
 * default, but then it rises with every large block freed, after which such blocks come from the main heap and stay
 * resident when freed). Both in apps/shop/README.md.
 */
function npmStartEnv() {
  return {
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '32',
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
  };
}

/**
 * The environment of a shop the harness starts on `port`, with its data in `dataDir`, as `npm start` would run it.
 * `bootstrap` is a broker address or undefined for the embedded log (an empty KAFKA_BOOTSTRAP_SERVERS means unset to
 * the shop, whatever the harness's own environment says).
 */
export function shopEnv({ port, dataDir, bootstrap }) {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    KAFKA_BOOTSTRAP_SERVERS: bootstrap ?? '',
    ...npmStartEnv(),
  };
}

/** One shop run: `backend` is 'embedded' or a bootstrap address. */
export async function shopLoad({ root, work, backend, rate, seconds }) {
  const port = await freePort();
  const dataDir = join(work, `shop-${backend === 'embedded' ? 'embedded' : 'kafka'}`);
  rmSync(dataDir, { recursive: true, force: true });
  const env = shopEnv({ port, dataDir, bootstrap: backend === 'embedded' ? undefined : backend });
  const shop = startChild(process.execPath, [join(root, 'apps/shop/dist/main.js')], { cwd: root, env });
  const url = `http://127.0.0.1:${port}`;
  try {
    if (!(await waitHealthy(url, 120_000))) {
      return { status: 'failed', detail: `shop not healthy within 120 s: ${shop.stderr.slice(-300)}` };
    }
    const load = await runToEnd(
      process.execPath,
      [join(root, 'apps/shop/dist/load/main.js'), '--url', url, '--rate', String(rate), '--duration', String(seconds)],
      { cwd: root, timeoutMs: (seconds + 120) * 1000 },
    );
    const summary = parseLoadSummary(load.stdout);
    if (!summary) return { status: 'failed', detail: `no summary from the load generator (exit ${load.exitCode}): ${load.stderr.slice(-300)}` };
    return { status: 'ok', rate, seconds, ...summary, peakRssMiB: shop.peakRss };
  } finally {
    await stopChild(shop);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
