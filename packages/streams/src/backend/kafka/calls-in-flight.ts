/**
 * The calls of one librdkafka client still waiting for their answer. Most calls run on a libuv worker and hold the
 * client's handle until librdkafka answers; disconnecting the client meanwhile destroys the handle under them and
 * crashes the process (the likely cause of segfaults when the shop shut down while a stream thread's `committed()`
 * still waited for a group coordinator). So a client is disconnected only once its calls have answered, or not at
 * all.
 */
export class CallsInFlight {
  private count = 0;
  private idle: Array<() => void> = [];

  /** Counts `call` until it settles; the native call's own promise, not one raced against a deadline. */
  track<T>(call: Promise<T>): Promise<T> {
    this.count++;
    return call.finally(() => {
      this.count--;
      if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  get size(): number {
    return this.count;
  }

  /** True once no call is in flight; false if some still is after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      new Promise<true>((resolve) => this.idle.push(() => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return answered;
  }
}
