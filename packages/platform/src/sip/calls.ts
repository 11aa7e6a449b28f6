/**
 * Accounting (Kamailio's acc and dialog profiles): per-tenant live counters of the edge (channels, messages) and the life of each call from the
 * INVITE the edge accepts to its record. A channel is taken when the edge accepts a new call and
 * given back exactly once, whatever ends it (BYE, CANCEL, a failure response, a lost socket, a
 * 2xx that is never ACKed). Both legs of a call between two extensions of one tenant are one
 * channel: the edge is a proxy, there is one call to count (docs/decisions/2026-11-28-channel-limits.md).
 */
import { dispositionFor, type SipCallDisposition, type SipCallRecord, type SipDirectory } from '../domain/sip-directory-contract';
import { systemClock, type SipClock, type SipTimer } from './clock';

export type CallDirection = SipCallRecord['direction'];

export interface LiveCall {
  readonly tenantId: string;
  readonly callId: string;
  readonly from: string;
  /** Mutable for ring groups only: the record names the member who answered the group's number. */
  to: string;
  /** Mutable for one change: an internal call the dial plan sends out on a trunk becomes outbound. */
  direction: CallDirection;
  readonly startedAt: Date;
  answeredAt: Date | undefined;
  /** The caller gave up (CANCEL, or its socket closed) before an answer. */
  cancelled: boolean;
  /** Whether this call holds one of the tenant's channels. */
  holdsChannel: boolean;
  ended: boolean;
  /** The dialog its 2xx created, and whether the caller confirmed it with an ACK. */
  dialogKey: string | undefined;
  acked: boolean;
  /** Runs while a 2xx waits for its ACK. */
  ackTimer: SipTimer | undefined;
}

export type ChannelGrant = { ok: true; call: LiveCall } | { ok: false; limit: number };
export type MessageGrant = { ok: true } | { ok: false; limit: number };

export interface TenantLiveUsage {
  channels: number;
  messages: number;
  messagesWindowStartedAt: Date;
}

/** One window of the messaging limit: it opens with the first MESSAGE after the last one closed. */
export const MESSAGE_WINDOW_MS = 60_000;

export class CallTracker {
  readonly #directory: SipDirectory;
  readonly #log: (line: string) => void;
  readonly #channels = new Map<string, number>();
  readonly #messages = new Map<string, { startedAt: number; count: number }>();
  readonly #live = new Set<LiveCall>();
  /** Answered calls by the dialog their 2xx created, until BYE, socket loss or a missing ACK ends them. */
  readonly #byDialog = new Map<string, LiveCall>();
  readonly #clock: SipClock;
  #pending: SipCallRecord[] = [];
  #flushScheduled = false;

  constructor(directory: SipDirectory, log: (line: string) => void, clock: SipClock = systemClock) {
    this.#directory = directory;
    this.#log = log;
    this.#clock = clock;
  }

  /**
   * Takes a channel for a new call, reading the tenant's limit now (a PATCH applies to the next
   * call). A refused call is recorded with disposition `limit` at once.
   */
  begin(tenantId: string, callId: string, from: string, to: string, direction: CallDirection = 'internal'): ChannelGrant {
    const limit = this.#directory.limits(tenantId)?.channels ?? 0;
    const used = this.#channels.get(tenantId) ?? 0;
    const call = newLiveCall(tenantId, callId, from, to, direction, this.#clock.now());
    if (used >= limit) {
      this.end(call, 'limit', 403);
      return { ok: false, limit };
    }
    this.#channels.set(tenantId, used + 1);
    this.#directory.usageStepped?.(tenantId, 'channels', used, used + 1, limit);
    call.holdsChannel = true;
    this.#live.add(call);
    return { ok: true, call };
  }

  /** A call refused before it could take a channel (the tenant wall): recorded, nothing held. */
  refuse(
    tenantId: string,
    callId: string,
    from: string,
    to: string,
    disposition: SipCallDisposition,
    status: number,
    direction: CallDirection = 'internal',
  ): void {
    const call = newLiveCall(tenantId, callId, from, to, direction, this.#clock.now());
    this.end(call, disposition, status);
  }

  answer(call: LiveCall): void {
    call.answeredAt ??= new Date(this.#clock.now());
  }

  /**
   * The call's 2xx created `dialogKey`: it is answered, and holds its channel until the dialog ends
   * (endDialog) or the caller fails to ACK within `ackTimeoutMs` (then `onUnconfirmed` runs).
   */
  answered(call: LiveCall, dialogKey: string, ackTimeoutMs: number, onUnconfirmed: (call: LiveCall) => void): void {
    if (call.ended || call.dialogKey !== undefined) return;
    this.answer(call);
    call.dialogKey = dialogKey;
    this.#byDialog.set(dialogKey, call);
    call.ackTimer = this.#clock.after(ackTimeoutMs, () => onUnconfirmed(call));
  }

  /** The caller's ACK confirmed the dialog: the call no longer waits on its timer. */
  acked(dialogKey: string): void {
    const call = this.#byDialog.get(dialogKey);
    if (!call) return;
    call.acked = true;
    call.ackTimer?.cancel();
  }

  /** The dialog of an answered call is over (BYE answered, a socket lost): its channel comes back. */
  endDialog(dialogKey: string, disposition: SipCallDisposition = 'answered', status: number = 200): void {
    const call = this.#byDialog.get(dialogKey);
    if (!call) return;
    this.#byDialog.delete(dialogKey);
    this.end(call, disposition, status);
  }

  /** The answered call of a dialog, if it is still live. */
  byDialog(dialogKey: string): LiveCall | undefined {
    return this.#byDialog.get(dialogKey);
  }

  /** Ends a call once: gives its channel back and queues its record. Later calls are no-ops. */
  end(call: LiveCall, disposition: SipCallDisposition, sipStatus: number | undefined): void {
    if (call.ended) return;
    call.ended = true;
    call.ackTimer?.cancel();
    if (call.dialogKey !== undefined && this.#byDialog.get(call.dialogKey) === call) this.#byDialog.delete(call.dialogKey);
    this.#live.delete(call);
    if (call.holdsChannel) {
      call.holdsChannel = false;
      const left = (this.#channels.get(call.tenantId) ?? 1) - 1;
      if (left > 0) this.#channels.set(call.tenantId, left);
      else this.#channels.delete(call.tenantId);
    }
    this.#queue({
      tenantId: call.tenantId,
      callId: call.callId,
      from: call.from,
      to: call.to,
      direction: call.direction,
      startedAt: call.startedAt,
      answeredAt: call.answeredAt,
      endedAt: new Date(this.#clock.now()),
      disposition,
      sipStatus,
    });
  }

  /** Ends a call by its final status, honouring a CANCEL the caller sent before it. */
  finish(call: LiveCall, status: number): void {
    if (status >= 200 && status < 300) return this.end(call, 'answered', status);
    this.end(call, call.cancelled ? 'cancelled' : dispositionFor(status), status);
  }

  /** Counts one MESSAGE against the tenant's per-minute limit, or refuses it. */
  allowMessage(tenantId: string, now = this.#clock.now()): MessageGrant {
    const limit = this.#directory.limits(tenantId)?.messagesPerMinute ?? 0;
    let window = this.#messages.get(tenantId);
    if (!window || now - window.startedAt >= MESSAGE_WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.#messages.set(tenantId, window);
    }
    if (window.count >= limit) return { ok: false, limit };
    window.count++;
    this.#directory.usageStepped?.(tenantId, 'messages', window.count - 1, window.count, limit);
    return { ok: true };
  }

  /** Channels held across every tenant (operator metrics; bounded, no tenant in it). */
  get activeChannels(): number {
    let n = 0;
    for (const held of this.#channels.values()) n += held;
    return n;
  }

  usage(tenantId: string, now = this.#clock.now()): TenantLiveUsage {
    const window = this.#messages.get(tenantId);
    const current = window && now - window.startedAt < MESSAGE_WINDOW_MS ? window : undefined;
    return {
      channels: this.#channels.get(tenantId) ?? 0,
      messages: current?.count ?? 0,
      messagesWindowStartedAt: new Date(current?.startedAt ?? now),
    };
  }

  /** Ends every live call (the edge is shutting down) and writes every queued record now. */
  close(): void {
    for (const call of [...this.#live]) this.end(call, call.answeredAt ? 'answered' : 'failed', undefined);
    this.#byDialog.clear();
    this.flush();
  }

  /**
   * Records are written in batches, one transaction per burst, so a burst of hangups costs one
   * commit instead of one each and never blocks the edge between two messages.
   */
  #queue(record: SipCallRecord): void {
    this.#pending.push(record);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    try {
      this.#directory.recordCalls(batch);
    } catch {
      // One bad record (its tenant deleted meanwhile) must not take the others with it.
      for (const record of batch) {
        try {
          this.#directory.recordCalls([record]);
        } catch (error) {
          this.#log(`sip: call record ${record.callId} of ${record.tenantId} not stored: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
}

function newLiveCall(tenantId: string, callId: string, from: string, to: string, direction: CallDirection, now: number): LiveCall {
  return {
    tenantId,
    callId,
    from,
    to,
    direction,
    startedAt: new Date(now),
    answeredAt: undefined,
    cancelled: false,
    holdsChannel: false,
    ended: false,
    dialogKey: undefined,
    acked: false,
    ackTimer: undefined,
  };
}
