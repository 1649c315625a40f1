/** How to look at and fix a damaged data directory; every refusal to open names it. */
export const REPAIR_HINT =
  'Run `npx tributary-log check <dataDir>` to see every damaged range, then `npx tributary-log repair <dataDir>` ' +
  '(it quarantines the damaged bytes and reports each offset lost) or restore the directory from a backup.';

/**
 * Damage in the embedded log's files that a crash cannot explain (valid entries follow it, or an entry's stored
 * offset is not where it belongs): the log refuses to open rather than cut acknowledged records away silently.
 */
export class CorruptLogError extends Error {
  override readonly name = 'CorruptLogError';
  constructor(
    readonly file: string,
    /** Byte position of the damage in `file`. */
    readonly position: number,
    /** What was found there, e.g. "checksum mismatch; valid entries follow (offset 40 at byte 9120)". */
    readonly detail: string,
  ) {
    super(`Embedded log damaged: ${file} at byte ${position}: ${detail}. ${REPAIR_HINT}`);
  }
}

/**
 * A write or fsync of the log failed (a full disk, an I/O error). The partition (or the whole log, for metadata)
 * takes no more writes until it is reopened, so the file never gets a gap or a torn entry followed by others.
 */
export class LogStorageError extends Error {
  override readonly name = 'LogStorageError';
}
