#!/usr/bin/env node
// Makes sure the native Kafka client (@confluentinc/kafka-javascript) loads, building it from source when it does
// not. Its install script would download a prebuilt binary, which cannot be reached here, and its default static
// build downloads its own dependencies; the dynamic build against Debian's -dev packages needs neither. The embedded
// log never needs this client, so a plain `npm install` that could not build it still runs `npm start`.
//
//   node scripts/ensure-kafka-client.mjs     exit 0 when the client loads (after building it if needed)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

function run(cmd, args, env = process.env, cwd = root) {
  log(`$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd, env, stdio: 'inherit' }).status === 0;
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

/**
 * Changes the released client lacks, applied to its sources before the build: fixes of the bundled librdkafka
 * (tools/librdkafka/*.patch: upstream commits not released yet, and a fix of ours for an open upstream issue) and of
 * the binding itself (tools/kafka-javascript/*.patch: empty keys and values kept empty, packed batch consume and
 * produce). See the READMEs beside them. A marker in each source tree records which patches went in, so a later run
 * rebuilds only when they change.
 */
const packageDir = join(root, 'node_modules', pkg);
const patchTrees = [
  { sources: join(packageDir, 'deps', 'librdkafka'), patches: join(root, 'tools', 'librdkafka'), probe: 'src' },
  { sources: packageDir, patches: join(root, 'tools', 'kafka-javascript'), probe: 'src' },
];
const markerOf = (tree) => join(tree.sources, '.tributary-patches');

function patchSet(tree) {
  if (!existsSync(tree.patches)) return [];
  return readdirSync(tree.patches)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => ({
      file: join(tree.patches, f),
      name: f,
      sum: createHash('sha256').update(readFileSync(join(tree.patches, f))).digest('hex').slice(0, 16),
    }));
}

function wantedMarker(tree) {
  return patchSet(tree)
    .map((p) => `${p.name} ${p.sum}`)
    .join('\n');
}

/** Applies the patches a tree lacks; a patch that does not apply (another version) is reported and skipped. */
function applyPatches(tree) {
  if (!existsSync(join(tree.sources, tree.probe))) return;
  const marker = markerOf(tree);
  const applied = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
  for (const p of patchSet(tree)) {
    if (applied.includes(`${p.name} ${p.sum}`)) continue;
    const dryRun = spawnSync('patch', ['-p1', '--forward', '--dry-run', '-i', p.file], { cwd: tree.sources, encoding: 'utf8' });
    if (dryRun.status !== 0) {
      log(`${p.name} does not apply to these sources (already in this version?); building without it:\n${dryRun.stdout}`);
      continue;
    }
    run('patch', ['-p1', '--forward', '-i', p.file], process.env, tree.sources);
  }
  // Records what was tried, applied or not, so a patch that does not apply does not cause a rebuild on every run.
  writeFileSync(marker, wantedMarker(tree));
}

const patched = () => patchTrees.every((tree) => (existsSync(markerOf(tree)) ? readFileSync(markerOf(tree), 'utf8') : '') === wantedMarker(tree));

if (loads() && patched()) process.exit(0);
if (loads()) log(`${pkg} loads, but lacks patches from tools/librdkafka or tools/kafka-javascript: applying them and rebuilding`);
else log(`${pkg} does not load: building it from source (librdkafka, linked against the system's libraries)`);
// Patch before building; a patch that does not apply leaves the sources as they are (the build goes on).
for (const tree of patchTrees) applyPatches(tree);
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
