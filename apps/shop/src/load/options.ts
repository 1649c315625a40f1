/** Command-line options of the load generator, validated so a typo fails before any request is sent. */
import { parseArgs } from 'node:util';

export interface LoadOptions {
  /** Orders started per second. */
  readonly rate: number;
  readonly durationS: number;
  readonly url: URL;
  /** Also post a payment for each order (exercises the email service). */
  readonly payments: boolean;
  /** Set every product's stock high first, so orders are not refused for lack of stock. */
  readonly stock: boolean;
  /** How long to wait for each order's outcome. */
  readonly timeoutMs: number;
  /** A CSV file to write every outcome to (`started_ms,latency_ms`, from the run's start), to see when slow ones came. */
  readonly latencyLog: string | undefined;
}

export const USAGE = `Usage: npm run shop:load -- [--rate 200] [--duration 60] [--url http://127.0.0.1:8080]
                          [--no-payments] [--no-stock] [--timeout 30000] [--latency-log FILE.csv]`;

export function parseLoadOptions(argv: ReadonlyArray<string>): LoadOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '30' },
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      'no-payments': { type: 'boolean', default: false },
      'no-stock': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30000' },
      'latency-log': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const number = (name: string, raw: string, min: number, max: number): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number between ${min} and ${max} (got ${raw})`);
    return n;
  };
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new Error(`--url must be an http(s) URL (got ${values.url})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--url must be an http(s) URL (got ${values.url})`);
  return {
    rate: number('rate', values.rate, 0.1, 100_000),
    durationS: number('duration', values.duration, 1, 3600),
    url,
    payments: !values['no-payments'],
    stock: !values['no-stock'],
    timeoutMs: number('timeout', values.timeout, 100, 600_000),
    latencyLog: values['latency-log'],
  };
}
