// Windowed keys: what windowed aggregations, window stores and windowed serdes all carry.

/** A window as carried by windowed keys. `end` is exclusive for time windows, inclusive for sessions (as in Kafka). */
export interface Window {
  readonly start: number;
  readonly end: number;
}
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}
