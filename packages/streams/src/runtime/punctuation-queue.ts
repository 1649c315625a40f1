/**
 * Scheduled punctuations of one task, for one time type. Semantics of Kafka Streams' `PunctuationQueue`:
 * stream-time schedules start aligned to 0 (they fire on the first record), wall-clock ones one interval from now;
 * missed intervals collapse into one call, and the next time stays aligned to the interval.
 */
import type { Cancellable } from '../api/processor.js';

interface Schedule {
  next: number;
  readonly interval: number;
  readonly fire: (timestamp: number) => void;
  cancelled: boolean;
}

export class PunctuationQueue {
  private schedules: Schedule[] = [];

  schedule(start: number, interval: number, fire: (timestamp: number) => void): Cancellable {
    if (!(interval >= 1)) throw new RangeError(`Punctuation interval must be at least 1 ms (got ${interval})`);
    const s: Schedule = { next: start, interval, fire, cancelled: false };
    this.schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.schedules = this.schedules.filter((x) => x !== s);
      },
    };
  }

  /** Fires every schedule due at `now`; returns whether any fired. */
  mayPunctuate(now: number): boolean {
    // Asked after every record: answer from the schedules themselves before copying and sorting them.
    if (!this.isDue(now)) return false;
    let fired = false;
    // Iterate over a snapshot: a punctuator may schedule or cancel others.
    for (const s of [...this.schedules].sort((a, b) => a.next - b.next)) {
      if (s.cancelled || s.next > now) continue;
      let next = s.next + s.interval;
      if (now >= next) next += (Math.floor((now - next) / s.interval) + 1) * s.interval;
      s.next = next;
      s.fire(now);
      fired = true;
    }
    return fired;
  }

  /** Whether some schedule would fire at `now`. */
  isDue(now: number): boolean {
    for (const s of this.schedules) if (!s.cancelled && s.next <= now) return true;
    return false;
  }

  get size(): number {
    return this.schedules.length;
  }
}
