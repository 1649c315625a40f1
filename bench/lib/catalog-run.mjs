/**
 * Runs the catalog's benchmark (bench/lib/catalog-bench.mjs) as a child process and returns its rows: pipeline
 * records/s, and search latency at a fixed query rate on each engine.
 */
import { join } from 'node:path';
import { runToEnd } from './proc.mjs';

export async function catalogBench({ root, work, products, seconds, rate }) {
  const args = [join(root, 'bench/lib/catalog-bench.mjs'), '--products', String(products), '--seconds', String(seconds), '--rate', String(rate), '--work', join(work, 'catalog')];
  const child = await runToEnd(process.execPath, args, { cwd: root, timeoutMs: 30 * 60_000 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('CATALOG_RESULT '));
  if (child.exitCode !== 0 || line === undefined) {
    return { status: 'failed', detail: child.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400), peakRssMiB: child.peakRss };
  }
  return { status: 'ok', ...JSON.parse(line.slice('CATALOG_RESULT '.length)), peakRssMiB: child.peakRss };
}
