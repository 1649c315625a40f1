/**
 * `LOG_TOPIC_DEFAULTS`: topic configs the embedded log gives every topic that does not set them, as a Kafka broker's
 * `log.*` settings do (the library's `topicDefaults`). Written `name=value,name=value`. For runs that must reach a
 * steady state on disk quickly — the soak benchmark shortens the 7-day history and 1 GiB segments to minutes and
 * megabytes — or for a small disk. On Kafka the brokers' own settings apply instead.
 */

/** What each setting may be: the retention and segment configs the embedded log honours. */
const LIMITS: Readonly<Record<string, { readonly min: number; readonly meaning: string }>> = {
  'retention.ms': { min: -1, meaning: 'how long records of delete-policy topics are kept (-1: forever)' },
  'retention.bytes': { min: -1, meaning: 'bytes a delete-policy partition keeps (-1: unlimited)' },
  'segment.bytes': { min: 1, meaning: 'size at which a segment is closed (retention and compaction work on closed segments)' },
  'segment.ms': { min: 1, meaning: 'age at which a segment is closed' },
  'segment.jitter.ms': { min: 0, meaning: 'how much earlier than segment.ms, at random, each segment is closed' },
  'delete.retention.ms': { min: 0, meaning: 'how long compaction keeps a tombstone' },
};

export const LOG_TOPIC_DEFAULT_NAMES = Object.keys(LIMITS);

/** The settings, or the problems found (each naming the setting). */
export function parseLogTopicDefaults(raw: string): { readonly defaults: Readonly<Record<string, string>>; readonly problems: ReadonlyArray<string> } {
  const defaults: Record<string, string> = {};
  const problems: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    const limit = LIMITS[name];
    if (limit === undefined) {
      problems.push(`${name} is not one of ${LOG_TOPIC_DEFAULT_NAMES.join(', ')}`);
      continue;
    }
    const n = Number(value);
    if (value === '' || !Number.isSafeInteger(n) || n < limit.min) {
      problems.push(`${name} must be an integer >= ${limit.min} (${limit.meaning}); got "${value}"`);
      continue;
    }
    defaults[name] = String(n);
  }
  return { defaults, problems };
}
