/**
 * The stateful proxy core (Kamailio's t_relay and reply handling): forwards a request as a new
 * client transaction, carries responses back with the edge's Via taken off, answers for a next hop
 * that stays silent, and sends the CANCELs and ACKs a stateful proxy sends on its own. Dialogs and
 * call records change here only on what the next hop answered (RFC 3261 16.7).
 */
import type { CallTracker, LiveCall } from './calls';
import type { SipClock } from './clock';
import { randomToken, type SipConnection } from './connection';
import { DIALOG_GRACE_MS, type DialogTable } from './dialogs';
import { parseContacts, parseCSeq, parseNameAddr, parseVia, tagOf } from './header-values';
import { header, headers, prependHeader, removeFirstHeader, setHeader, type SipHeader, type SipRequest, type SipResponse } from './message';
import { reply } from './replies';
import { newClientBranch, type ServerKey, type Transaction, type TransactionTable } from './transactions';
import { inboundLeg, outboundLeg, type TrunkLeg } from './trunk-legs';

/** Timer B/F: no answer at all from the next hop. */
export const NO_RESPONSE_MS = 32_000;
/** Timer C: a ringing INVITE is given up after this long. */
export const RINGING_MS = 180_000;
/** How long a finished INVITE transaction is kept to pass 2xx retransmissions and absorb ACKs. */
export const LINGER_MS = 32_000;
/** Timer H: a 2xx never ACKed leaves a dialog nobody confirmed; its channel comes back after this. */
export const ACK_WAIT_MS = 32_000;
/** Dialogs one INVITE may create (forked 18x with different tags): bounded, like everything a client can grow. */
const MAX_DIALOGS_PER_INVITE = 8;

/** Final answers to a BYE after which the dialog is over at the far end too (RFC 3261 15.1.1). */
export function byeEndsDialog(status: number): boolean {
  return (status >= 200 && status < 300) || status === 481 || status === 408;
}

export interface ForwardOptions {
  uri: string;
  recordRoute: boolean;
  dialogKey?: string | undefined;
  call?: LiveCall | undefined;
  /** Which end of the dialog this INVITE creates is a carrier trunk. */
  trunk?: 'caller' | 'callee' | undefined;
  /** Rewrites the forwarded copy (caller id toward a trunk); returns the caller's headers to put back on responses. */
  rewrite?: ((forwarded: SipRequest) => SipHeader[]) | undefined;
}

export class Relay {
  readonly edgeHost = `edge-${randomToken(4)}.invalid`;
  readonly recordRoute = `<sip:${this.edgeHost};transport=ws;lr>`;
  readonly #transactions: TransactionTable;
  readonly #dialogs: DialogTable;
  readonly #calls: CallTracker;
  readonly #ackTimeoutMs: number;

  constructor(transactions: TransactionTable, dialogs: DialogTable, calls: CallTracker, ackTimeoutMs = ACK_WAIT_MS) {
    this.#transactions = transactions;
    this.#dialogs = dialogs;
    this.#calls = calls;
    this.#ackTimeoutMs = ackTimeoutMs;
  }

  via(branch: string = newClientBranch()): string {
    return `SIP/2.0/WS ${this.edgeHost};branch=${branch}`;
  }

  /** Route headers naming the edge itself are consumed here (loose routing, RFC 3261 16.4). */
  popOwnRoutes(request: SipRequest): void {
    for (;;) {
      const top = header(request, 'route');
      if (top === undefined || parseNameAddr(top)?.uri.host.toLowerCase() !== this.edgeHost) return;
      removeFirstHeader(request, 'route');
    }
  }

  copyForNextHop(request: SipRequest, uri: string, branch: string, recordRoute: boolean): SipRequest {
    // Proxy credentials are for this hop only; forwarded, the callee could replay them as the caller.
    const copy: SipRequest = { ...request, uri, headers: request.headers.filter((h) => h.name !== 'proxy-authorization').map((h) => ({ ...h })) };
    const maxForwards = header(request, 'max-forwards');
    setHeader(copy, 'max-forwards', String(maxForwards === undefined ? 70 : Number(maxForwards) - 1));
    prependHeader(copy, 'via', this.via(branch));
    if (recordRoute) prependHeader(copy, 'record-route', this.recordRoute);
    return copy;
  }

  /** Forwards an admitted request (its server key from TransactionTable.admit) as a new client transaction. */
  forward(upstream: SipConnection, request: SipRequest, key: ServerKey, downstream: SipConnection, options: ForwardOptions): Transaction {
    const branch = newClientBranch();
    const forwarded = this.copyForNextHop(request, options.uri, branch, options.recordRoute);
    const restore = options.rewrite?.(forwarded);
    const transaction = this.#transactions.open({
      branch,
      serverKey: key,
      method: request.method,
      upstream,
      downstream,
      received: request,
      forwarded,
      dialogKey: options.dialogKey,
      call: options.call,
      trunk: options.trunk,
      restore,
    });
    this.armNoResponse(transaction);
    downstream.send(forwarded);
    return transaction;
  }

  /** A silent next hop yields 408 upstream and, for an INVITE, a CANCEL downstream. */
  armNoResponse(transaction: Transaction, ms = NO_RESPONSE_MS): void {
    this.#transactions.arm(transaction, ms, () => {
      if (transaction.method === 'INVITE') this.cancelDownstream(transaction);
      this.respondUpstream(transaction, 408);
      this.#transactions.forget(transaction);
    });
  }

  /** The transaction a response on `connection` answers: only the connection a request went to may answer it. */
  match(connection: SipConnection, response: SipResponse): Transaction | undefined {
    const via = parseVia(header(response, 'via')!);
    const cseq = parseCSeq(header(response, 'cseq')!)!;
    const transaction = via?.branch && via.host === this.edgeHost ? this.#transactions.get(via.branch) : undefined;
    // Answers to our own CANCELs end here too: their method is not the transaction's.
    if (!transaction || transaction.downstream !== connection || cseq.method !== transaction.method) return undefined;
    return transaction;
  }

  /** A response to a forwarded request (not a ring group's branch). */
  onResponse(transaction: Transaction, response: SipResponse): void {
    if (response.status === 100) return this.armNoResponse(transaction, RINGING_MS);
    // The caller sees its own From (and To) again, whatever the next hop was shown.
    for (const h of transaction.restore ?? []) setHeader(response, h.name, h.value);
    const isInvite2xx = transaction.method === 'INVITE' && response.status >= 200 && response.status < 300;
    if (transaction.final !== undefined && !isInvite2xx) return;

    removeFirstHeader(response, 'via');
    if (transaction.method === 'INVITE' && response.status < 300 && tagOf(header(response, 'to'))) this.#dialogFromResponse(transaction, response);
    if (response.status < 200) {
      this.armNoResponse(transaction, RINGING_MS);
    } else if (transaction.final === undefined) {
      transaction.final = response.status;
      if (transaction.method === 'INVITE') {
        if (response.status >= 300) {
          this.ackDownstream(transaction, response);
          for (const key of transaction.dialogKeys) this.#dialogs.end(key);
          if (transaction.call) this.#calls.finish(transaction.call, response.status);
        }
        this.#transactions.arm(transaction, LINGER_MS, () => this.#transactions.forget(transaction));
      } else {
        if (transaction.method === 'BYE') this.#byeAnswered(transaction, response.status);
        this.#transactions.forget(transaction);
      }
    }
    transaction.upstream.send(response);
  }

  #dialogFromResponse(transaction: Transaction, response: SipResponse): void {
    if (transaction.dialogKeys.size >= MAX_DIALOGS_PER_INVITE) return;
    const key = this.openDialog(transaction, response);
    if (!key) return;
    transaction.dialogKeys.add(key);
    const call = transaction.call;
    if (call && response.status >= 200 && call.dialogKey === undefined) this.#calls.answered(call, key, this.#ackTimeoutMs, (c) => this.unconfirmed(c));
  }

  /** The dialog an INVITE's response creates between the transaction's two ends, with its trunk leg if any. */
  openDialog(transaction: Transaction, response: SipResponse): string | undefined {
    return this.#dialogs.open(transaction.upstream, transaction.downstream, transaction.received, response, (contact) =>
      trunkLegOf(transaction, response, contact),
    );
  }

  /**
   * A BYE is over when its far end answered it. Only an answer that ends the dialog there (2xx,
   * 481, or our own 408 for silence) ends it here and gives the channel back; a BYE the far end
   * refused leaves the call up, and counted, at both ends.
   */
  #byeAnswered(transaction: Transaction, status: number): void {
    if (!byeEndsDialog(status)) return;
    for (const key of transaction.dialogKeys) {
      this.#dialogs.end(key);
      this.#calls.endDialog(key);
    }
  }

  respondUpstream(transaction: Transaction, status: number): void {
    transaction.final = status;
    if (transaction.call) this.#calls.finish(transaction.call, status);
    if (transaction.method === 'BYE') this.#byeAnswered(transaction, status);
    reply(transaction.upstream, transaction.received, status);
  }

  /** The caller's CANCEL of a forwarded INVITE: answered here (hop by hop), and a CANCEL of ours goes on. */
  cancel(transaction: Transaction, connection: SipConnection, request: SipRequest): void {
    reply(connection, request, 200);
    if (transaction.final === undefined) {
      if (transaction.call) transaction.call.cancelled = true;
      this.cancelDownstream(transaction);
    }
  }

  cancelDownstream(transaction: Transaction): void {
    if (transaction.cancelled) return;
    transaction.cancelled = true;
    const invite = transaction.forwarded;
    const seq = parseCSeq(header(invite, 'cseq')!)!.seq;
    const keep = ['from', 'to', 'call-id', 'route'];
    transaction.downstream.send({
      kind: 'request',
      method: 'CANCEL',
      uri: invite.uri,
      headers: [
        { name: 'via', value: this.via(transaction.branch) },
        { name: 'max-forwards', value: '70' },
        ...invite.headers.filter((h) => keep.includes(h.name)),
        { name: 'cseq', value: `${seq} CANCEL` },
      ],
      body: Buffer.alloc(0),
    });
  }

  /** The ACK a stateful proxy sends itself for a non-2xx final response (RFC 3261 17.1.1.3). */
  ackDownstream(transaction: Transaction, response: SipResponse): void {
    const invite = transaction.forwarded;
    const seq = parseCSeq(header(invite, 'cseq')!)!.seq;
    transaction.downstream.send({
      kind: 'request',
      method: 'ACK',
      uri: invite.uri,
      headers: [
        { name: 'via', value: this.via(transaction.branch) },
        { name: 'max-forwards', value: '70' },
        ...invite.headers.filter((h) => h.name === 'from' || h.name === 'call-id' || h.name === 'route'),
        { name: 'to', value: header(response, 'to')! },
        { name: 'cseq', value: `${seq} ACK` },
      ],
      body: Buffer.alloc(0),
    });
  }

  /** A 2xx nobody wants (a ring group member answering after the call went elsewhere): ACK it, then BYE. */
  ackAndBye(transaction: Transaction, response: SipResponse): void {
    const contacts = parseContacts(headers(response, 'contact'));
    const uri = contacts && contacts !== '*' && contacts[0] ? contacts[0].uri.toString() : transaction.forwarded.uri;
    const seq = parseCSeq(header(transaction.forwarded, 'cseq')!)!.seq;
    const common = [
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: header(transaction.forwarded, 'from')! },
      { name: 'to', value: header(response, 'to')! },
      { name: 'call-id', value: header(transaction.forwarded, 'call-id')! },
    ];
    const request = (method: string, cseq: number, extra: SipHeader[] = []): SipRequest => ({
      kind: 'request',
      method,
      uri,
      headers: [{ name: 'via', value: this.via() }, ...common, { name: 'cseq', value: `${cseq} ${method}` }, ...extra],
      body: Buffer.alloc(0),
    });
    transaction.downstream.send(request('ACK', seq));
    transaction.downstream.send(request('BYE', seq + 1, [{ name: 'reason', value: 'SIP;cause=200;text="Call completed elsewhere"' }]));
  }

  /** Timer H for the edge: the caller never ACKed the 2xx, so neither side holds a real call. */
  unconfirmed(call: LiveCall): void {
    const dialog = call.dialogKey ? this.#dialogs.get(call.dialogKey) : undefined;
    if (dialog) {
      for (const gone of [dialog.caller, dialog.callee]) {
        const bye = this.#dialogs.byeOnBehalfOf(dialog, gone, this.via());
        bye?.to.send(bye.request);
      }
      this.#dialogs.end(dialog.key);
    }
    this.#calls.end(call, 'failed', 408);
  }

  /** The far side of a dialog hears a BYE when this side's socket is gone; the call's channel comes back. */
  /**
   * The socket of one end of a confirmed dialog dropped: the dialog (and its channel) is kept for
   * `graceMs` (30 s by default) in case the phone comes back and takes it over with a re-INVITE
   * (`DialogTable.rebind`); if it does not, the other end gets a BYE with Reason `connection_lost`
   * and the call record closes. Only a phone is waited for: a carrier trunk, an early dialog or a
   * connection that speaks for no single extension ends at once, as before.
   */
  holdOrEndDialogOf(gone: SipConnection, key: string, party: { tenantId: string; number: string; credential: string } | undefined, clock: SipClock, graceMs = DIALOG_GRACE_MS): void {
    const dialog = this.#dialogs.get(key);
    if (!dialog || !party || !dialog.confirmed || dialog.trunk || dialog.dropped) return this.endDialogOf(gone, key);
    const side = dialog.caller === gone ? 'caller' : 'callee';
    dialog.dropped = { side, ...party, timer: clock.after(graceMs, () => this.endDialogOf(gone, key)) };
  }

  endDialogOf(gone: SipConnection, key: string): void {
    const dialog = this.#dialogs.get(key);
    const bye = dialog?.confirmed ? this.#dialogs.byeOnBehalfOf(dialog, gone, this.via()) : undefined;
    bye?.to.send(bye.request);
    this.#dialogs.end(key);
    this.#calls.endDialog(key);
  }

  forget(transaction: Transaction): void {
    this.#transactions.forget(transaction);
  }

  linger(transaction: Transaction): void {
    this.#transactions.arm(transaction, LINGER_MS, () => this.#transactions.forget(transaction));
  }
}

/** The trunk leg of a dialog an INVITE to or from a carrier creates. */
function trunkLegOf(transaction: Transaction, response: SipResponse, contact: string | undefined): TrunkLeg | undefined {
  if (transaction.trunk === 'callee') return outboundLeg(transaction.forwarded, { to: header(response, 'to')!, contact });
  if (transaction.trunk === 'caller') {
    const contacts = parseContacts(headers(transaction.received, 'contact'));
    const callerContact = contacts && contacts !== '*' ? contacts[0]?.uri.toString() : undefined;
    return inboundLeg(transaction.received, { to: header(response, 'to')! }, callerContact);
  }
  return undefined;
}

