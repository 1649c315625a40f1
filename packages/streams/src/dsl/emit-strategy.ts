/**
 * When a windowed aggregation emits (Kafka's `EmitStrategy`, KIP-825): on every update of a window (the default),
 * or once per window, its final result, when stream time passes the window's end plus grace. Unlike
 * `suppress(untilWindowCloses)`, the aggregation itself holds the results back, reading them from its store, so
 * no extra buffer is kept.
 */
export type EmitStrategyType = 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE';

export class EmitStrategy {
  private constructor(readonly type: EmitStrategyType) {}

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE');
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE');
  }
}
