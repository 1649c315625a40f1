/**
 * `Suppressed` and `BufferConfig` (Kafka Streams' suppression API): hold back a KTable's updates and emit only the
 * latest per key, either once a window has closed (`untilWindowCloses`, final results) or after a time limit
 * (`untilTimeLimit`, rate limiting). Buffers are unbounded unless a bound is given.
 */

export type BufferFullStrategy = 'emitEarly' | 'shutDown';

/** The options-object form of a buffer config: `{ maxRecords: 1000, whenFull: 'emitEarly' }`. */
export interface BufferConfigOptions {
  readonly maxRecords?: number;
  readonly maxBytes?: number;
  readonly whenFull?: BufferFullStrategy;
}

export type BufferConfigLike = BufferConfig | BufferConfigOptions;

export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: BufferFullStrategy,
  ) {}

  /** No bound; the buffer can never be full (a "strict" config, valid for final results). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shutDown');
  }

  static maxRecords(records: number): BufferConfig {
    return new BufferConfig(checkBound('maxRecords', records), Number.POSITIVE_INFINITY, 'emitEarly');
  }

  static maxBytes(bytes: number): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, checkBound('maxBytes', bytes), 'emitEarly');
  }

  withMaxRecords(records: number): BufferConfig {
    return new BufferConfig(checkBound('maxRecords', records), this.maxBytes, this.whenFull);
  }

  withMaxBytes(bytes: number): BufferConfig {
    return new BufferConfig(this.maxRecords, checkBound('maxBytes', bytes), this.whenFull);
  }

  /** Removes both bounds (and so the need for a full-buffer strategy). */
  withNoBound(): BufferConfig {
    return BufferConfig.unbounded();
  }

  /** Accepts a BufferConfig or a plain options object; a bounded object without `whenFull` gets `defaultWhenFull`. */
  static from(config: BufferConfigLike | undefined, defaultWhenFull: BufferFullStrategy): BufferConfig {
    if (config === undefined) return BufferConfig.unbounded();
    if (config instanceof BufferConfig) return config;
    const maxRecords = config.maxRecords === undefined ? Number.POSITIVE_INFINITY : checkBound('maxRecords', config.maxRecords);
    const maxBytes = config.maxBytes === undefined ? Number.POSITIVE_INFINITY : checkBound('maxBytes', config.maxBytes);
    const bounded = Number.isFinite(maxRecords) || Number.isFinite(maxBytes);
    return new BufferConfig(maxRecords, maxBytes, config.whenFull ?? (bounded ? defaultWhenFull : 'shutDown'));
  }

  /** When full, emit the oldest entries early (possibly intermediate results). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emitEarly');
  }

  /** When full, fail the application rather than emit anything that is not final. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shutDown');
  }
}

function checkBound(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

export class Suppressed {
  /** As Kafka's nested `Suppressed.BufferConfig`. */
  static readonly BufferConfig = BufferConfig;

  private constructor(
    readonly kind: 'untilWindowCloses' | 'untilTimeLimit',
    readonly timeLimitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | undefined,
  ) {}

  /**
   * Final results of a windowed aggregation: one record per window, when stream time passes its end plus grace.
   * Only a buffer that never emits early is allowed (`BufferConfig.unbounded()` or `...shutDownWhenFull()`).
   */
  static untilWindowCloses(config?: BufferConfigLike): Suppressed {
    const bufferConfig = BufferConfig.from(config, 'shutDown');
    if (bufferConfig.whenFull !== 'shutDown') {
      throw new Error('untilWindowCloses() needs a strict buffer config: BufferConfig.unbounded() or ....shutDownWhenFull()');
    }
    return new Suppressed('untilWindowCloses', 0, bufferConfig, undefined);
  }

  /** At most one update per key every `timeLimitMs` of stream time (the latest one). */
  static untilTimeLimit(timeLimitMs: number, config?: BufferConfigLike): Suppressed {
    checkBound('time limit', timeLimitMs);
    return new Suppressed('untilTimeLimit', timeLimitMs, BufferConfig.from(config, 'emitEarly'), undefined);
  }

  /** Names the processor (`<name>-suppress`) and buffer store (`<name>-store`). */
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, name);
  }
}
