#!/usr/bin/env node
// Makes sure the native Kafka client (@confluentinc/kafka-javascript) loads, building it from source when it does
// not. Its install script would download a prebuilt binary, which cannot be reached here, and its default static
// build downloads its own dependencies; the dynamic build against Debian's -dev packages needs neither. The embedded
// log never needs this client, so a plain `npm install` that could not build it still runs `npm start`.
//
//   node scripts/ensure-kafka-client.mjs     exit 0 when the client loads (after building it if needed)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const pkg = '@confluentinc/kafka-javascript';
const debianPackages = [
  'build-essential', 'python3', 'pkg-config', 'libssl-dev', 'libsasl2-dev', 'libzstd-dev', 'liblz4-dev', 'zlib1g-dev',
  'libcurl4-openssl-dev',
];

const log = (m) => console.log(`[kafka-client] ${m}`);

function loads() {
  return spawnSync(process.execPath, ['-e', `require('${pkg}')`], { cwd: root }).status === 0;
}

function run(cmd, args, env = process.env) {
  log(`$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' }).status === 0;
}

function missingDebianPackages() {
  if (spawnSync('which', ['dpkg-query']).status !== 0) return [];
  return debianPackages.filter(
    (p) => !/install ok installed/.test(spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout ?? ''),
  );
}

function lockedVersion() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return lock.packages?.[`node_modules/${pkg}`]?.version;
}

if (loads()) process.exit(0);
log(`${pkg} does not load: building it from source (librdkafka, linked against the system's libraries)`);
const missing = missingDebianPackages();
if (missing.length > 0) {
  if (process.getuid?.() === 0) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', ...missing], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  } else {
    log(`missing Debian packages (install them as root): ${missing.join(' ')}`);
  }
}
const env = { ...process.env, CKJS_LINKING: 'dynamic', npm_config_build_from_source: 'true' };
const ok = existsSync(join(root, 'node_modules', pkg, 'package.json'))
  ? run('npm', ['rebuild', pkg, '--foreground-scripts'], env)
  : run('npm', ['install', '--no-save', '--foreground-scripts', `${pkg}@${lockedVersion() ?? '^1.10.1'}`], env);
if (ok && loads()) {
  log(`${pkg} built and loads`);
  process.exit(0);
}
log(`${pkg} could not be built; the real-Kafka path is unavailable (the embedded log still works)`);
process.exit(1);
