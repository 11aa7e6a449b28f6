// sip.js's web Transport opens one URL, fixed at construction (its `configuration` is private). A
// phone with several Kamailio nodes must reconnect to the next when one dies, and keep its
// UserAgent (and calls) while doing so. Transport opens `new WebSocket(this.server, "sip")`, reading
// the public `server` getter at each connect: overriding the getter is the seam. That is sip.js
// behaviour, not contract: failover-transport.test.ts runs the real Transport and fails if it changes.
import { Transport } from 'sip.js/lib/platform/web/transport/transport.js';
import type { TransportOptions } from 'sip.js/lib/platform/web/transport/transport-options.js';
import type { Logger } from 'sip.js/lib/core/log/logger.js';

export class FailoverTransport extends Transport {
  /** The URLs in order; `next()` moves to the following one (round and round). */
  urls: string[] = [];
  #index = 0;

  constructor(logger: Logger, options?: TransportOptions) {
    super(logger, options);
    this.urls = [super.server];
  }

  override get server(): string {
    // The base constructor asks before `urls` exists.
    return this.urls?.[this.#index % this.urls.length] ?? super.server;
  }

  /** The URL the next connect opens: the following one, when there are several. */
  next(): void {
    this.#index = (this.#index + 1) % this.urls.length;
  }
}
