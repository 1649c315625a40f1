/**
 * The benchmark matrix: which workloads `npm run bench` measures. The full cross product of formats, partitions,
 * key counts, caches and threads would take many hours on two cores, so there is a core set that always runs (the
 * workload of issue 15: String serdes, 4 partitions, 1,000 keys) and groups of variation rows, each changing one
 * thing against the core, chosen with `--with`. See bench/README.md.
 */

/** Kafka Streams' default `statestore.cache.max.bytes` (and Tributary's `statestoreCacheMaxBytes`). */
export const DEFAULT_CACHE_BYTES = 10 * 1024 * 1024;

/**
 * Commit interval of the rows with the cache on. A cached aggregation forwards its final values only when it commits
 * (or when the cache fills, which 1,000 keys never do), so with the default 30 s the end of a run would be the next
 * commit after the input ran out and the row would measure the commit timer. Both contenders get the same value.
 */
export const CACHE_COMMIT_INTERVAL_MS = 1_000;

/** The core workload; every row starts from it. */
export const CORE = { format: 'string', partitions: 4, keys: 1_000, threads: 1, guarantee: 'at_least_once', cacheBytes: 0, commitIntervalMs: undefined };

const cacheOn = { cacheBytes: DEFAULT_CACHE_BYTES, commitIntervalMs: CACHE_COMMIT_INTERVAL_MS };

/** `group`: core (always run) or the `--with` group that adds the row. Only the fields that differ from CORE. */
const ROWS = [
  { id: 'stateless', group: 'core', case: 'stateless' },
  { id: 'count', group: 'core', case: 'count' },
  { id: 'count-cache', group: 'core', case: 'count', ...cacheOn },
  { id: 'count-eos', group: 'core', case: 'count', guarantee: 'exactly_once_v2' },
  { id: 'windowed', group: 'core', case: 'windowed' },
  { id: 'windowed-cache', group: 'core', case: 'windowed', ...cacheOn },
  { id: 'stateless-json', group: 'serde', case: 'stateless', format: 'json' },
  { id: 'stateless-binary', group: 'serde', case: 'stateless', format: 'binary' },
  { id: 'count-json', group: 'serde', case: 'count', format: 'json' },
  { id: 'count-binary', group: 'serde', case: 'count', format: 'binary' },
  { id: 'stateless-1p', group: 'partitions', case: 'stateless', partitions: 1 },
  { id: 'count-1p', group: 'partitions', case: 'count', partitions: 1 },
  { id: 'count-1m-keys', group: 'keys', case: 'count', keys: 1_000_000 },
  { id: 'count-1m-keys-cache', group: 'keys', case: 'count', keys: 1_000_000, ...cacheOn },
  { id: 'join', group: 'join', case: 'join' },
  { id: 'stateless-2-threads', group: 'threads', case: 'stateless', threads: 2 },
  { id: 'count-2-threads', group: 'threads', case: 'count', threads: 2 },
  { id: 'stateless-eos', group: 'eos', case: 'stateless', guarantee: 'exactly_once_v2' },
];

export const GROUPS = [...new Set(ROWS.map((r) => r.group))];

const CASE_ALIASES = { stateful: 'count' };

/**
 * The rows to run. `rows`: explicit ids (any group); otherwise the core set plus the `with` groups ('all': every
 * group). `cases` keeps only rows of those cases. `keys` replaces the core's 1,000 keys where a row does not set its
 * own; `commitIntervalMs` replaces every row's commit interval. Each row comes back complete (CORE filled in) with `keys` capped at `records` (the keys that exist).
 */
export function selectRows({ rows, with: groups = [], cases, keys, records, commitIntervalMs }) {
  const wanted = groups.includes('all') ? GROUPS : ['core', ...groups];
  for (const g of groups) if (g !== 'all' && !GROUPS.includes(g)) throw new Error(`unknown --with group ${g} (one of ${GROUPS.join(', ')}, all)`);
  for (const id of rows ?? []) if (!ROWS.some((r) => r.id === id)) throw new Error(`unknown row ${id} (one of ${ROWS.map((r) => r.id).join(', ')})`);
  const caseSet = cases?.map((c) => CASE_ALIASES[c] ?? c);
  return ROWS.filter((r) => (rows ? rows.includes(r.id) : wanted.includes(r.group)))
    .filter((r) => caseSet === undefined || caseSet.includes(r.case))
    .map((r) => {
      const row = { ...CORE, ...(keys !== undefined && r.keys === undefined ? { keys } : {}), ...r, ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}) };
      return { ...row, keys: Math.min(row.keys, records), label: labelOf(row, records) };
    });
}

export function mib(bytes) {
  return `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;
}

function count(n) {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1_000 && n % 1_000 === 0 ? `${n / 1_000}k` : String(n);
}

/** The row's case, then what differs from the core workload. */
function labelOf(row, records) {
  const parts = [row.case];
  if (row.guarantee !== CORE.guarantee) parts.push('exactly_once_v2');
  if (row.format !== CORE.format) parts.push(`${row.format} serde`);
  if (row.partitions !== CORE.partitions) parts.push(`${row.partitions} partition${row.partitions === 1 ? '' : 's'}`);
  if (row.keys !== CORE.keys) parts.push(`${count(Math.min(row.keys, records))} keys`);
  if (row.threads !== CORE.threads) parts.push(`${row.threads} threads`);
  if (row.cacheBytes !== CORE.cacheBytes) parts.push(`cache ${mib(row.cacheBytes)}`);
  if (row.commitIntervalMs !== undefined) parts.push(`commit ${row.commitIntervalMs / 1000} s`);
  return parts.join(', ');
}

/**
 * A rough duration for planning (printed at start): per run a fixed cost (process start, group join, topics, stop)
 * plus the records at the rate seen on the development machine (2 cores under a load average near 20: about 42 s
 * per run at 1M records, 6 s at 50k); see the README.
 */
export function estimateMinutes({ rows, contenders, runs, warmUps, records }) {
  const perRunS = 5 + records / 27_000;
  return Math.round((rows.length * contenders.length * (runs + warmUps) * perRunS) / 60);
}
