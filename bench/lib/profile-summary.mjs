/**
 * Where a Node process spent its CPU, from the `.cpuprofile` files `node --cpu-prof` wrote: self time grouped by
 * area (Tributary layer, dependency, Node internals, GC) and the hottest functions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function areaOf(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'native / VM (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const streams = /packages\/streams\/dist\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (streams) return `tributary ${streams[1]}${streams[1] === 'backend' && streams[2] && !streams[2].endsWith('.js') ? `/${streams[2]}` : ''}`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (mod) return mod[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/bench/')) return 'bench harness (topology callbacks, loader)';
  return url;
}

export function summarizeProfiles(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return { areas: [], top: [] };
  const file = files.map((f) => join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map();
  const fns = new Map();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    if (area === 'idle') continue;
    busy += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const pct = (us) => Math.round((1000 * us) / Math.max(1, busy)) / 10;
  return {
    busyMs: Math.round(busy / 1000),
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([area, us]) => ({ area, pct: pct(us) })),
    top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([fn, us]) => ({ fn, pct: pct(us) })),
  };
}
