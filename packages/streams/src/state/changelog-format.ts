import type { RestoreRecord } from './store.js';
import { rawValue, timestampOf, withTimestamp } from './value-and-timestamp.js';

/**
 * How stored values map to changelog records. Timestamped stores, as in Kafka Streams, log the plain value with the
 * stored timestamp as the record timestamp (so the changelog reads like any topic) and rebuild the stored layout on
 * restore; plain stores log values as they are, stamped with the current record's timestamp.
 */
export interface ChangelogFormat {
  readonly timestamped: boolean;
  /** The changelog value and timestamp for a stored value (null: a delete, stamped with `now`). */
  toChangelog(stored: Buffer | null, now: number): { value: Buffer | null; timestamp: number };
  /** The stored value for a changelog record. */
  fromChangelog(record: RestoreRecord): Buffer | null;
}

export const plainChangelogFormat: ChangelogFormat = {
  timestamped: false,
  toChangelog: (stored, now) => ({ value: stored, timestamp: now }),
  fromChangelog: (record) => record.value,
};

export const timestampedChangelogFormat: ChangelogFormat = {
  timestamped: true,
  toChangelog: (stored, now) =>
    stored === null ? { value: null, timestamp: now } : { value: rawValue(stored), timestamp: timestampOf(stored) },
  fromChangelog: (record) => (record.value === null ? null : withTimestamp(record.value, record.timestamp)),
};
