/**
 * Child process: one Tributary application on the Kafka broker, running one benchmark topology until SIGTERM.
 * Prints `STATE <name>` lines the harness waits on; exits 3 with `UNAVAILABLE <why>` when the case cannot be built or
 * a setting is not supported by this build.
 *
 *   node bench/lib/tributary-app.mjs '<json: {case, format?, bootstrap, input, output, table?, appId, stateDir,
 *     guarantee, cacheBytes?, commitIntervalMs?, threads?, clientConfig?, storeType?}>'
 */
import * as lib from '@tributary/streams';
import { startMemorySampler } from './memory-sampler.mjs';
import { buildTopology } from './topologies.mjs';
import { createBenchApp } from './tributary-config.mjs';

const args = JSON.parse(process.argv[2] ?? '{}');
const memory = startMemorySampler();

const logger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (obj, msg) => console.error('WARN', msg ?? '', JSON.stringify(obj)),
  error: (obj, msg) => console.error('ERROR', msg ?? '', JSON.stringify(obj)),
};

function unavailable(why) {
  console.log(`UNAVAILABLE ${why}`);
  process.exit(3);
}

const builder = new lib.StreamsBuilder();
const missing = buildTopology(lib, builder, args.case, args);
if (missing !== undefined) unavailable(`${args.case}: ${missing}`);
const { app, unavailable: why } = createBenchApp(lib, builder, args, {
  applicationId: args.appId,
  bootstrapServers: args.bootstrap,
  processingGuarantee: args.guarantee,
  stateDir: args.stateDir,
  ...(args.clientConfig ? { clientConfig: args.clientConfig } : {}),
  logger,
});
if (why !== undefined) unavailable(why);
app.setStateListener((state) => {
  console.log(`STATE ${state}`);
  if (state === 'ERROR') process.exitCode = 1;
});

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  console.log(memory.report());
  try {
    await app.close();
  } finally {
    process.exit(process.exitCode ?? 0);
  }
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
await app.start();
