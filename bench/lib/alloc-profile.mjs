/**
 * Where a phase allocates: V8's sampling heap profiler with the objects later collected included (so garbage counts,
 * not only what survives), written as a `.heapprofile` file that Chrome DevTools opens, and summarized by function.
 */
import { Session } from 'node:inspector';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

export async function startAllocationProfile() {
  const session = new Session();
  session.connect();
  await post(session, 'HeapProfiler.enable');
  await post(session, 'HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop(dir) {
      const { profile } = await post(session, 'HeapProfiler.stopSampling');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'processing.heapprofile'), JSON.stringify(profile));
    },
  };
}

/** Bytes allocated per function (self) and per call path member (inclusive), largest first. */
export function summarizeAllocations(dir, top = 15) {
  const profile = JSON.parse(readFileSync(join(dir, 'processing.heapprofile'), 'utf8'));
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    total += node.selfSize;
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    const path = stack.includes(name) ? stack : [...stack, name];
    for (const n of path) inclusive.set(n, (inclusive.get(n) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, path);
  };
  walk(profile.head, []);
  const mib = (n) => Math.round(n / 104857.6) / 10;
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, bytes]) => ({ fn, mib: mib(bytes) }));
  return { totalMiB: mib(total), self: rank(self), inclusive: rank(inclusive) };
}
