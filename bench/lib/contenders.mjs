/**
 * Starting one contender's process on the broker: Kafka Streams on the JVM (bench/jvm), Tributary on Kafka
 * (tributary-app.mjs) or @kafkats/flow (flow-app.mjs), each given the same settings in its own terms.
 */
import { join } from 'node:path';
import { startChild } from './proc.mjs';

export const BROKER_CONTENDERS = ['jvm', 'tributary', 'flow'];
export const ALL_CONTENDERS = ['jvm', 'tributary', 'tributary-embedded', 'flow'];

/**
 * `args`: `{case, format, bootstrap, input, output, table, appId, stateDir, guarantee, cacheBytes, commitIntervalMs?,
 * threads, clientConfig?, storeType?}`; `extraNodeArgs` go before a Node child's script (e.g. `--cpu-prof`).
 */
export function spawnContender({ here, root, work }, contender, args, extraNodeArgs = []) {
  if (contender === 'jvm') {
    const jvm = join(here, 'jvm', 'target');
    const argv = Object.entries({
      case: args.case,
      format: args.format,
      bootstrap: args.bootstrap,
      input: args.input,
      output: args.output,
      table: args.table,
      'app-id': args.appId,
      'state-dir': args.stateDir,
      guarantee: args.guarantee,
      threads: args.threads,
      'cache-bytes': args.cacheBytes,
      'commit-interval-ms': args.commitIntervalMs,
    })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `--${k}=${v}`);
    return startChild('java', ['-Xms256m', '-Xmx1g', `-Djava.io.tmpdir=${work}`, '-cp', `${jvm}/streams-bench.jar:${jvm}/lib/*`, 'dev.tributary.bench.BenchApp', ...argv]);
  }
  const script = contender === 'flow' ? 'flow-app.mjs' : 'tributary-app.mjs';
  return startChild(process.execPath, [...extraNodeArgs, join(here, 'lib', script), JSON.stringify(args)], { cwd: root });
}
