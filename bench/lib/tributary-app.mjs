/**
 * Child process: one Tributary application on the Kafka broker, running one benchmark topology until SIGTERM.
 * Prints `STATE <name>` lines the harness waits on; exits 3 with `UNAVAILABLE <why>` when the case cannot be built or
 * a setting is not supported by this build.
 *
 *   node bench/lib/tributary-app.mjs '<json: {case, format?, bootstrap, input, output, table?, appId, stateDir,
 *     guarantee, cacheBytes?, commitIntervalMs?, threads?, clientConfig?, storeType?}>'
 */
import * as lib from '@tributary/streams';
import { closeOnSignal, printStates, quietLogger } from './child-app.mjs';
import { startMemorySampler } from './memory-sampler.mjs';
import { buildTopology } from './topologies.mjs';
import { createBenchApp } from './tributary-config.mjs';

const args = JSON.parse(process.argv[2] ?? '{}');
const memory = startMemorySampler();

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
  logger: quietLogger,
});
if (why !== undefined) unavailable(why);
printStates(app);

closeOnSignal(app, () => memory.report());
await app.start();
