/**
 * Child process: Tributary on the broker running one case of the String workload (bench/lib/string-records.mjs)
 * until SIGTERM, from the build at `dist` (so bench/lib/string-ab.mjs can run two builds against each other). The
 * topologies mirror bench/jvm/.../StringBenchApp.java operator for operator. Prints `STATE <name>` lines and, on
 * SIGTERM, `CPU {"userMs","systemMs"}` (the whole process: JavaScript and librdkafka's threads).
 *
 *   node bench/lib/string-app.mjs '<json: {dist, case, bootstrap, input, output, appId, stateDir, guarantee}>'
 */
import { pathToFileURL } from 'node:url';
import { closeOnSignal, printStates, quietLogger } from './child-app.mjs';
import { keepsValue } from './string-records.mjs';

const args = JSON.parse(process.argv[2] ?? '{}');
const lib = await import(pathToFileURL(args.dist).href);

export function buildStringTopology({ Serdes, TimeWindows }, builder, benchCase, topics) {
  const S = Serdes.string();
  const L = Serdes.long();
  const events = builder.stream(topics.input, { keySerde: S, valueSerde: S });
  switch (benchCase) {
    case 'stateless':
      events
        .filter((_k, v) => keepsValue(v))
        .mapValues((v) => v.toUpperCase())
        .to(topics.output, { keySerde: S, valueSerde: S });
      return;
    case 'stateful':
      events
        .groupBy((_k, v) => v.substring(0, v.indexOf('|')), { keySerde: S, valueSerde: S })
        .count({ storeName: 'counts' })
        .toStream()
        .to(topics.output, { keySerde: S, valueSerde: L });
      return;
    case 'windowed':
      events
        .groupByKey({ keySerde: S, valueSerde: S })
        .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
        .count({ storeName: 'window-counts' })
        .toStream()
        .map((wk, count) => [`${wk.key}@${wk.window.start}`, count])
        .to(topics.output, { keySerde: S, valueSerde: L });
      return;
    default:
      throw new Error(`unknown case ${benchCase}`);
  }
}

const builder = new lib.StreamsBuilder();
buildStringTopology(lib, builder, args.case, args);
const app = new lib.KafkaStreams(builder.build(), {
  applicationId: args.appId,
  bootstrapServers: args.bootstrap,
  processingGuarantee: args.guarantee,
  stateDir: args.stateDir,
  logger: quietLogger,
});
printStates(app);

closeOnSignal(app, () => {
  const cpu = process.cpuUsage();
  return `CPU ${JSON.stringify({ userMs: Math.round(cpu.user / 1000), systemMs: Math.round(cpu.system / 1000) })}`;
});
await app.start();
