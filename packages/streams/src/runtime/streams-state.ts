/**
 * The life cycle of a `KafkaStreams` instance, as in Kafka Streams: CREATED → REBALANCING ⇄ RUNNING →
 * PENDING_SHUTDOWN → NOT_RUNNING, or PENDING_ERROR → ERROR; and the one listener told of each change.
 */
import { StreamsError } from './errors.js';

export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void;

const TRANSITIONS: Record<KafkaStreamsState, ReadonlyArray<KafkaStreamsState>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
};

export class StreamsLifecycle {
  private current: KafkaStreamsState = 'CREATED';
  private listener: StateListener | undefined;

  get state(): KafkaStreamsState {
    return this.current;
  }

  /** ERROR, or on the way there. */
  get failed(): boolean {
    return this.current === 'ERROR' || this.current === 'PENDING_ERROR';
  }

  setListener(listener: StateListener): void {
    if (this.current !== 'CREATED') throw new StreamsError('setStateListener() must be called before start()');
    this.listener = listener;
  }

  /**
   * Moves to `next` when the life cycle allows it from here and ignores it otherwise (a thread's late report after
   * shutdown began, say); the listener hears of real changes only.
   */
  transition(next: KafkaStreamsState): void {
    const old = this.current;
    if (old === next && next !== 'REBALANCING') return;
    if (!TRANSITIONS[old].includes(next)) return;
    this.current = next;
    if (old !== next) this.listener?.(next, old);
  }
}
