/**
 * Bounds on held long polls. Each waiting request holds a socket (a file descriptor) for up to its timeout, so
 * without a bound one client can exhaust the process's descriptors and every new connection is refused. Past a
 * bound the request is answered at once with `503` and `Retry-After`, which costs nothing to hold.
 */
export interface LongPollLimitSettings {
  /** Long polls held at once, all clients together. */
  readonly maxTotal: number;
  /** Long polls held at once for one client address. */
  readonly maxPerClient: number;
}

export const DEFAULT_LONG_POLL_LIMITS: LongPollLimitSettings = { maxTotal: 512, maxPerClient: 128 };

export class LongPollLimits {
  private readonly byClient = new Map<string, number>();
  private total = 0;
  /** Polls answered 503 because a bound was reached (for /metrics). */
  rejected = 0;

  constructor(readonly settings: LongPollLimitSettings = DEFAULT_LONG_POLL_LIMITS) {}

  /**
   * Takes a slot for `client` (undefined: counted in the total only, for polls another instance of the shop forwards
   * on behalf of its clients); returns its release (call exactly once), or undefined when a bound is reached.
   */
  acquire(client: string | undefined): (() => void) | undefined {
    const held = client === undefined ? 0 : (this.byClient.get(client) ?? 0);
    if (this.total >= this.settings.maxTotal || held >= this.settings.maxPerClient) {
      this.rejected += 1;
      return undefined;
    }
    this.total += 1;
    if (client !== undefined) this.byClient.set(client, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      if (client === undefined) return;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left === 0) this.byClient.delete(client);
      else this.byClient.set(client, left);
    };
  }

  /** Long polls held now. */
  get held(): number {
    return this.total;
  }
}
