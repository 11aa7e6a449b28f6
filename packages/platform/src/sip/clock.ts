/**
 * Time for the SIP edge. Every timer of the edge's SIP logic (transaction timeouts, ring group
 * timers, the wait for an ACK, call record timestamps, message windows) runs on a SipClock, so a
 * test can drive them with a ManualClock instead of waiting on the wall clock.
 */
export interface SipTimer {
  cancel(): void;
}

export interface SipClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms`; a pending timer never keeps the process alive. */
  after(ms: number, callback: () => void): SipTimer;
}

export const systemClock: SipClock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timeout = setTimeout(callback, ms).unref();
    return { cancel: () => clearTimeout(timeout) };
  },
};

interface Scheduled {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` runs every timer that falls due, in order,
 * including timers those timers set. For tests, and for anything that replays time.
 */
export class ManualClock implements SipClock {
  #now: number;
  #seq = 0;
  #pending: Scheduled[] = [];

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, callback: () => void): SipTimer {
    const entry: Scheduled = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#pending.push(entry);
    return { cancel: () => void (this.#pending = this.#pending.filter((e) => e !== entry)) };
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.#pending.length;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let next: Scheduled | undefined;
      for (const entry of this.#pending) if (entry.at <= until && (!next || entry.at < next.at || (entry.at === next.at && entry.seq < next.seq))) next = entry;
      if (!next) break;
      this.#pending = this.#pending.filter((e) => e !== next);
      this.#now = next.at;
      next.callback();
    }
    this.#now = until;
  }
}
