/**
 * A streams instance in its own process, for fault tests that kill processes. Configured by the WORKER_CONFIG
 * environment variable (JSON); prints one JSON line per event on stdout.
 *   mode 'count': input → groupByKey().count() (persistent store 'counts') → output
 *   mode 'copy':  input → output (values unchanged)
 */
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { startQueryServer } from '../../src/runtime/query-server.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';

interface WorkerConfig {
  readonly mode: 'count' | 'copy';
  readonly applicationId: string;
  readonly bootstrapServers: string;
  readonly input: string;
  readonly output: string;
  readonly stateDir: string;
  readonly guarantee: 'at_least_once' | 'exactly_once_v2';
  readonly queryPort?: number;
}

const config = JSON.parse(process.env['WORKER_CONFIG'] ?? '{}') as WorkerConfig;
const emit = (event: object): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const S = Serdes.string();
const builder = new StreamsBuilder();
const input = builder.stream<string, string>(config.input, { keySerde: S, valueSerde: S });
if (config.mode === 'count') {
  input.groupByKey().count({ storeName: 'counts' }).toStream().to(config.output, { keySerde: S, valueSerde: Serdes.long() });
} else {
  input.to(config.output, { keySerde: S, valueSerde: S });
}
const app = new KafkaStreams(builder.build(), {
  applicationId: config.applicationId,
  bootstrapServers: config.bootstrapServers,
  stateDir: config.stateDir,
  processingGuarantee: config.guarantee,
  commitIntervalMs: config.guarantee === 'exactly_once_v2' ? 100 : 200,
  sessionTimeoutMs: 6000,
  ...(config.queryPort ? { applicationServer: `127.0.0.1:${config.queryPort}` } : {}),
  logger: {
    info: () => undefined,
    debug: () => undefined,
    warn: (o, m) => emit({ event: 'warn', msg: m, ...o }),
    error: (o, m) => emit({ event: 'error', msg: m, ...o }),
  },
});
app.setStateListener((state) => emit({ event: 'state', state }));
const server = config.queryPort
  ? await startQueryServer(app, { host: '127.0.0.1', port: config.queryPort, stores: { counts: { keySerde: S } } })
  : undefined;
await app.start();
const timer = setInterval(() => emit({ event: 'metrics', ...app.metrics() }), 500);
const stop = async (): Promise<void> => {
  clearInterval(timer);
  await app.close();
  await server?.close();
  emit({ event: 'closed' });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
