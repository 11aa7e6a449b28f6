/**
 * The dialog layer (Kamailio's dialog module, sip.js's core/dialogs). Dialogs the edge saw being created, keyed by Call-ID and both tags. An in-dialog request is
 * routed only if it names a known dialog AND arrives on one of that dialog's two connections, so
 * a guessed Call-ID from anyone else's socket leads nowhere.
 */
import type { SipConnection } from './connection';
import { parseContacts, parseCSeq, tagOf } from './header-values';
import { header, headers, type SipRequest, type SipResponse } from './message';
import type { TrunkLeg } from './trunk-legs';
import type { SipTimer } from './clock';

/** Per-connection cap that keeps a misbehaving client from growing the edge's memory. */
const MAX_DIALOGS_PER_CONNECTION = 128;

export interface Dialog {
  key: string;
  caller: SipConnection;
  callee: SipConnection;
  callId: string;
  /** The INVITE's From and To, each with its tag. */
  callerFrom: string;
  calleeTo: string;
  callerContact: string | undefined;
  calleeContact: string | undefined;
  /** Highest CSeq each side has used, so a BYE made up by the edge is in sequence. */
  callerSeq: number;
  calleeSeq: number | undefined;
  /** A 2xx was seen; before that the dialog is early. */
  confirmed: boolean;
  /** Set when one end is a carrier trunk: what every request toward it must carry. */
  trunk: TrunkLeg | undefined;
  /** Set while one end's socket is gone and the dialog waits for it to come back (at most 30 s). */
  dropped?: DroppedEnd | undefined;
}

/**
 * The end of a confirmed dialog whose socket dropped: who it was (tenant, extension and the
 * credential generation it spoke under, as `SipConnection.credentialFor` gives it) and the timer
 * that ends the call if no connection proving that same identity takes the dialog back in time.
 */
export interface DroppedEnd {
  side: 'caller' | 'callee';
  tenantId: string;
  number: string;
  credential: string;
  timer: SipTimer;
}

/** How long the dialogs of a dropped phone connection wait for the phone to come back. */
export const DIALOG_GRACE_MS = 30_000;

export class DialogTable {
  readonly #dialogs = new Map<string, Dialog>();

  /**
   * Records (or confirms) the dialog an INVITE response creates; returns its key. `trunk` makes
   * the leg toward a carrier, when the dialog is new and one end is a trunk.
   */
  open(
    caller: SipConnection,
    callee: SipConnection,
    invite: SipRequest,
    response: SipResponse,
    trunk?: (contact: string | undefined) => TrunkLeg | undefined,
  ): string | undefined {
    const callId = header(invite, 'call-id')!;
    const fromTag = tagOf(header(invite, 'from'));
    const toTag = tagOf(header(response, 'to'));
    if (!fromTag || !toTag) return undefined;
    const key = dialogKey(callId, fromTag, toTag);
    const calleeContact = firstContact(response);
    const existing = this.#dialogs.get(key);
    if (existing) {
      // An early dialog confirmed by the 2xx, or a re-INVITE's answer.
      existing.confirmed ||= response.status >= 200;
      // The answerer's Contact is its new remote target (a re-INVITE may come from either end).
      if (callee === existing.callee) existing.calleeContact = calleeContact ?? existing.calleeContact;
      else if (callee === existing.caller) existing.callerContact = calleeContact ?? existing.callerContact;
      const trunkEnd = existing.trunk && (existing.trunk.side === 'callee' ? existing.callee : existing.caller);
      if (existing.trunk && callee === trunkEnd && calleeContact && response.status >= 200) existing.trunk.target = calleeContact;
      return key;
    }
    if (caller.dialogs.size >= MAX_DIALOGS_PER_CONNECTION || callee.dialogs.size >= MAX_DIALOGS_PER_CONNECTION) return undefined;
    this.#dialogs.set(key, {
      key,
      caller,
      callee,
      callId,
      callerFrom: header(invite, 'from')!,
      calleeTo: header(response, 'to')!,
      callerContact: firstContact(invite),
      calleeContact,
      callerSeq: parseCSeq(header(invite, 'cseq')!)!.seq,
      calleeSeq: undefined,
      confirmed: response.status >= 200,
      trunk: trunk?.(calleeContact),
    });
    caller.dialogs.add(key);
    callee.dialogs.add(key);
    return key;
  }

  get(key: string): Dialog | undefined {
    return this.#dialogs.get(key);
  }

  /** The dialog of an in-dialog request, only if `connection` is one of its two ends. */
  find(connection: SipConnection, request: SipRequest): Dialog | undefined {
    const fromTag = tagOf(header(request, 'from'));
    const toTag = tagOf(header(request, 'to'));
    if (!fromTag || !toTag) return undefined;
    const dialog = this.#dialogs.get(dialogKey(header(request, 'call-id')!, fromTag, toTag));
    return dialog && (dialog.caller === connection || dialog.callee === connection) ? dialog : undefined;
  }

  /**
   * A dialog whose end dropped, taken back by `connection` if it now proves the very identity (same
   * tenant, extension row and credential generation) the dropped end spoke under; else undefined,
   * and the request is answered as for an unknown dialog.
   */
  rebind(connection: SipConnection, request: SipRequest): Dialog | undefined {
    const fromTag = tagOf(header(request, 'from'));
    const toTag = tagOf(header(request, 'to'));
    if (!fromTag || !toTag) return undefined;
    const dialog = this.#dialogs.get(dialogKey(header(request, 'call-id')!, fromTag, toTag));
    const dropped = dialog?.dropped;
    if (!dialog || !dropped || connection.closed) return undefined;
    if (connection.credentialFor(dropped.tenantId, dropped.number) !== dropped.credential) return undefined;
    if (connection.dialogs.size >= MAX_DIALOGS_PER_CONNECTION) return undefined;
    dropped.timer.cancel();
    dialog.dropped = undefined;
    dialog[dropped.side].dialogs.delete(dialog.key);
    dialog[dropped.side] = connection;
    connection.dialogs.add(dialog.key);
    return dialog;
  }

  /** Keeps track of each side's CSeq as its requests pass. */
  noteRequest(dialog: Dialog, from: SipConnection, request: SipRequest): void {
    const seq = parseCSeq(header(request, 'cseq')!)!.seq;
    if (dialog.caller === from) dialog.callerSeq = Math.max(dialog.callerSeq, seq);
    else dialog.calleeSeq = Math.max(dialog.calleeSeq ?? 0, seq);
  }

  /**
   * The BYE the edge sends, on behalf of the side whose socket dropped, to the side still there;
   * undefined when that side cannot be addressed.
   */
  byeOnBehalfOf(dialog: Dialog, gone: SipConnection, via: string): { to: SipConnection; request: SipRequest } | undefined {
    const toCaller = dialog.callee === gone;
    const survivor = toCaller ? dialog.caller : dialog.callee;
    const target = toCaller ? dialog.callerContact : dialog.calleeContact;
    if (!target || survivor.closed) return undefined;
    const seq = toCaller ? (dialog.calleeSeq ?? 0) + 1 : dialog.callerSeq + 1;
    return {
      to: survivor,
      request: {
        kind: 'request',
        method: 'BYE',
        uri: target,
        headers: [
          { name: 'via', value: via },
          { name: 'max-forwards', value: '70' },
          { name: 'from', value: toCaller ? dialog.calleeTo : dialog.callerFrom },
          { name: 'to', value: toCaller ? dialog.callerFrom : dialog.calleeTo },
          { name: 'call-id', value: dialog.callId },
          { name: 'cseq', value: `${seq} BYE` },
          { name: 'reason', value: 'SIP;cause=480;text="connection_lost"' },
        ],
        body: Buffer.alloc(0),
      },
    };
  }

  end(key: string): void {
    const dialog = this.#dialogs.get(key);
    if (!dialog) return;
    this.#dialogs.delete(key);
    dialog.dropped?.timer.cancel();
    dialog.caller.dialogs.delete(key);
    dialog.callee.dialogs.delete(key);
  }

  clear(): void {
    this.#dialogs.clear();
  }
}

function firstContact(message: SipRequest | SipResponse): string | undefined {
  const contacts = parseContacts(headers(message, 'contact'));
  return contacts && contacts !== '*' ? contacts[0]?.uri.toString() : undefined;
}

function dialogKey(callId: string, tagA: string, tagB: string): string {
  return tagA < tagB ? `${callId}\n${tagA}\n${tagB}` : `${callId}\n${tagB}\n${tagA}`;
}
