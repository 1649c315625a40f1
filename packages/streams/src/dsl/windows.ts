/**
 * Window specifications (Kafka Streams' `TimeWindows`, `SessionWindows`, `SlidingWindows`, `JoinWindows`). All
 * times are milliseconds. They are immutable values: `advanceBy`, `before` and `after` return new instances.
 */
import type { Window } from '../state/store.js';

function checkMs(what: string, value: number, allowZero: boolean): void {
  if (!Number.isSafeInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${what} must be ${allowZero ? 'a non-negative' : 'a positive'} integer number of ms, got ${value}`);
  }
}

/** A window of time, start inclusive and end exclusive (Kafka's `TimeWindow`): what `Windows.windowsFor` returns. */
export class TimeWindow implements Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw new RangeError(`window bounds must be integers (ms), got [${start}, ${end})`);
    if (end <= start) throw new RangeError(`window end (${end}) must be greater than its start (${start})`);
  }
}

/**
 * The base of time-based windowing for `windowedBy` (Kafka's `Windows<W>`): extend it to define custom windows,
 * e.g. calendar days in a time zone. `windowsFor` maps each window's start to the window, for every window a record
 * with that timestamp belongs to; `size()` is the window size the windowed key serde and the store use;
 * `gracePeriodMs()` how long after a window's end late records are still accepted.
 */
export abstract class Windows<W extends Window = TimeWindow> {
  abstract windowsFor(timestamp: number): Map<number, W>;
  abstract size(): number;
  abstract gracePeriodMs(): number;
}

/** Fixed-size windows aligned to the epoch: tumbling (advance = size) or hopping (advance < size). */
export class TimeWindows extends Windows<TimeWindow> {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    super();
  }

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkMs('window size', sizeMs, false);
    checkMs('grace period', graceMs, true);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMs('advance', advanceMs, false);
    if (advanceMs > this.sizeMs) throw new RangeError(`advance (${advanceMs} ms) must not exceed the window size (${this.sizeMs} ms)`);
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows `timestamp` falls into by start, oldest first (start inclusive, end exclusive). */
  windowsFor(timestamp: number): Map<number, TimeWindow> {
    const out = new Map<number, TimeWindow>();
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) out.set(start, new TimeWindow(start, start + this.sizeMs));
    return out;
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

/** Whether `windows` can drive a time-windowed aggregation: a `Windows` subclass or anything shaped like one. */
export function isTimeBasedWindows(windows: unknown): windows is Windows<Window> {
  if (windows instanceof Windows) return true;
  if (typeof windows !== 'object' || windows === null) return false;
  const w = windows as Partial<Record<'windowsFor' | 'size' | 'gracePeriodMs', unknown>>;
  return typeof w.windowsFor === 'function' && typeof w.size === 'function' && typeof w.gracePeriodMs === 'function';
}

/** Sessions: activity separated by gaps longer than `inactivityGapMs` starts a new session. */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkMs('inactivity gap', inactivityGapMs, false);
    checkMs('grace period', graceMs, true);
    return new SessionWindows(inactivityGapMs, graceMs);
  }
}

/** Windows of `timeDifferenceMs` that slide with the records (both ends inclusive), as Kafka's `SlidingWindows`. */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkMs('time difference', timeDifferenceMs, true);
    checkMs('grace period', graceMs, true);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }
}

/**
 * Which records of two streams join: `other.ts` in `[ts - beforeMs, ts + afterMs]`. Unmatched records of left and
 * outer joins are emitted once the window has closed (`ts + afterMs + grace` passed), as in Kafka 3.1+.
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkMs('time difference', timeDifferenceMs, true);
    checkMs('grace period', graceMs, true);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** How far back in time the other stream's records may be; may be negative as long as before + after >= 0. */
  before(beforeMs: number): JoinWindows {
    return JoinWindows.checked(beforeMs, this.afterMs, this.graceMs);
  }

  /** How far ahead in time the other stream's records may be; may be negative as long as before + after >= 0. */
  after(afterMs: number): JoinWindows {
    return JoinWindows.checked(this.beforeMs, afterMs, this.graceMs);
  }

  /** `before + after`: the size of the window stores that buffer each side. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  private static checked(beforeMs: number, afterMs: number, graceMs: number): JoinWindows {
    if (!Number.isSafeInteger(beforeMs) || !Number.isSafeInteger(afterMs)) throw new RangeError('join window bounds must be integers (ms)');
    if (beforeMs + afterMs < 0) throw new RangeError(`window size (before + after = ${beforeMs + afterMs} ms) must not be negative`);
    return new JoinWindows(beforeMs, afterMs, graceMs);
  }
}
