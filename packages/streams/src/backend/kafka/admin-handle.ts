import type { NativeAdminClient } from './native.js';

/**
 * A librdkafka admin client that counts its calls in flight, so that it is disconnected only when none is left.
 *
 * The client's `disconnect()` is synchronous: it destroys the handle on the calling thread, the event loop's, and
 * first waits for every call still running on a libuv worker (each holds the handle's connection lock until it
 * answers or times out). When a broker froze under the shop's load, the event loop stood still for about two
 * minutes, HTTP included: a stale client was being disconnected while its ListOffsets calls were still queued for a
 * busy threadpool (read from the code, no stack was taken; no such stall since). Answers come back on the event loop,
 * after the worker let go of the lock, so at a count of zero nothing holds it.
 */
export class AdminHandle implements NativeAdminClient {
  private inFlight = 0;
  private retired = false;
  private disconnected = false;
  private onDisconnected: () => void = () => undefined;

  constructor(private readonly native: NativeAdminClient) {}

  /** No new calls from here on; disconnects now if none is in flight, else when the last one answers. */
  retire(onDisconnected: () => void): void {
    this.retired = true;
    this.onDisconnected = onDisconnected;
    this.disconnectWhenIdle();
  }

  /** Calls in flight, for tests and diagnostics. */
  get callsInFlight(): number {
    return this.inFlight;
  }

  createTopic(...args: Parameters<NativeAdminClient['createTopic']>): void {
    const [topic, timeoutMs, cb] = args;
    this.run(cb, (done) => this.native.createTopic(topic, timeoutMs, done));
  }

  deleteTopic(...args: Parameters<NativeAdminClient['deleteTopic']>): void {
    const [topic, timeoutMs, cb] = args;
    this.run(cb, (done) => this.native.deleteTopic(topic, timeoutMs, done));
  }

  listTopics(...args: Parameters<NativeAdminClient['listTopics']>): void {
    const [options, cb] = args;
    this.run(cb, (done) => this.native.listTopics(options, done));
  }

  describeTopics(...args: Parameters<NativeAdminClient['describeTopics']>): void {
    const [topics, options, cb] = args;
    this.run(cb, (done) => this.native.describeTopics(topics, options, done));
  }

  listOffsets(...args: Parameters<NativeAdminClient['listOffsets']>): void {
    const [partitions, options, cb] = args;
    this.run(cb, (done) => this.native.listOffsets(partitions, options, done));
  }

  deleteRecords(...args: Parameters<NativeAdminClient['deleteRecords']>): void {
    const [records, options, cb] = args;
    this.run(cb, (done) => this.native.deleteRecords(records, options, done));
  }

  /** Disconnects now, whatever is in flight (the backend's close: its callers are gone). */
  disconnect(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.native.disconnect();
    this.onDisconnected();
  }

  private run<A extends unknown[]>(cb: (...result: A) => void, start: (done: (...result: A) => void) => void): void {
    this.inFlight++;
    let counted = true;
    const settle = (): void => {
      if (!counted) return;
      counted = false;
      this.inFlight--;
    };
    try {
      start((...result: A) => {
        settle();
        try {
          cb(...result);
        } finally {
          this.disconnectWhenIdle();
        }
      });
    } catch (err) {
      settle();
      this.disconnectWhenIdle();
      throw err;
    }
  }

  private disconnectWhenIdle(): void {
    if (this.retired && this.inFlight === 0) this.disconnect();
  }
}
