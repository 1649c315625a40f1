/**
 * In-process CPU profiling of one phase (the embedded run profiles only the processing, not its own pre-load):
 * the inspector's Profiler, written as a `.cpuprofile` file that profile-summary.mjs reads.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

export async function startProfile() {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 1000 });
  await post(session, 'Profiler.start');
  return {
    async stop(dir) {
      const { profile } = await post(session, 'Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'processing.cpuprofile'), JSON.stringify(profile));
    },
  };
}
