import type { RestoreRecord } from './store.js';
import { rawValue, timestampOf, withTimestamp } from './value-and-timestamp.js';

/**
 * How stored values map to changelog records. Timestamped stores, as in Kafka Streams, log the plain value with the
 * stored timestamp as the record timestamp (so the changelog reads like any topic) and rebuild the stored layout on
 * restore; plain stores log values as they are, stamped with the current record's timestamp.
 */
export interface ChangelogFormat {
  readonly timestamped: boolean;
  /** The changelog value for a stored value (null: a delete). Separate from the timestamp: no object per write. */
  changelogValue(stored: Buffer | null): Buffer | null;
  /** The changelog record's timestamp for a stored value (a delete is stamped with `now`). */
  changelogTimestamp(stored: Buffer | null, now: number): number;
  /** The stored value for a changelog record. */
  fromChangelog(record: RestoreRecord): Buffer | null;
}

export const plainChangelogFormat: ChangelogFormat = {
  timestamped: false,
  changelogValue: (stored) => stored,
  changelogTimestamp: (_stored, now) => now,
  fromChangelog: (record) => record.value,
};

export const timestampedChangelogFormat: ChangelogFormat = {
  timestamped: true,
  changelogValue: (stored) => (stored === null ? null : rawValue(stored)),
  changelogTimestamp: (stored, now) => (stored === null ? now : timestampOf(stored)),
  fromChangelog: (record) => (record.value === null ? null : withTimestamp(record.value, record.timestamp)),
};
