/**
 * Child process: the same benchmark topologies on the TypeScript peer @kafkats/flow (installed into bench/ by
 * `npm install --prefix bench`). Its stores are in memory with a changelog topic: it has no persistent store.
 *
 * It runs the JSON format with one stream thread and its defaults otherwise; other formats and thread counts exit 3
 * with `UNAVAILABLE <why>`.
 *
 *   node bench/lib/flow-app.mjs '<json: {case, format?, bootstrap, input, output, table?, appId, stateDir, guarantee, threads?}>'
 */
import { flow, json, string, TimeWindows } from '@kafkats/flow';
import { closeOnSignal } from './child-app.mjs';
import { startMemorySampler } from './memory-sampler.mjs';
import { MIN_AMOUNT } from './records.mjs';
import { enrich, summarize } from './topologies.mjs';

const args = JSON.parse(process.argv[2] ?? '{}');
const memory = startMemorySampler();
if ((args.format ?? 'json') !== 'json' || (args.threads ?? 1) !== 1) {
  console.log(`UNAVAILABLE @kafkats/flow runs the JSON format with one thread in this benchmark`);
  process.exit(3);
}

/** 8-byte big-endian, like Serdes.long() and Kafka's LongSerializer, so all contenders write the same bytes. */
const long = {
  encode: (n) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  },
  decode: (b) => Number(b.readBigInt64BE(0)),
};

const app = flow({
  applicationId: args.appId,
  client: { brokers: [args.bootstrap], clientId: args.appId },
  numStreamThreads: 1,
  processingGuarantee: args.guarantee === 'exactly_once_v2' ? 'exactly_once' : 'at_least_once',
  stateDir: args.stateDir,
  consumer: { autoOffsetReset: 'earliest' },
  changelog: { replicationFactor: 1 },
});

const S = string();
const J = json();
const events = app.stream(args.input, { key: S, value: J, offsetReset: 'earliest' });
switch (args.case) {
  case 'stateless':
    events
      .filter((_k, v) => v.amount >= MIN_AMOUNT)
      .mapValues((v) => summarize(v))
      .to(args.output, { key: S, value: J });
    break;
  case 'count':
  case 'stateful':
    events
      .groupBy((_k, v) => v.user, { key: S, value: J })
      .count({ storeName: 'counts', key: S, value: long })
      .toStream()
      .to(args.output, { key: S, value: long });
    break;
  case 'windowed':
    events
      .groupByKey({ key: S, value: J })
      .windowedBy(TimeWindows.of('1m'))
      .count({ storeName: 'window-counts' })
      .toStream()
      .map((wk, count) => [`${wk.key}@${wk.window.start}`, count])
      .to(args.output, { key: S, value: long });
    break;
  case 'join': {
    const users = app.table(args.table, { key: S, value: J, offsetReset: 'earliest', materialized: { storeName: 'users', key: S, value: J } });
    events.leftJoin(users, (event, user) => enrich(event, user)).to(args.output, { key: S, value: J });
    break;
  }
  default:
    throw new Error(`unknown case ${args.case}`);
}

closeOnSignal(app, () => memory.report());
await app.start();
console.log('STATE RUNNING');
