/**
 * In-dialog requests toward a carrier trunk (docs/decisions/2026-12-01-sip-edge-in-layers.md).
 * What the carrier was shown when the dialog was created is what it is shown for the rest of the
 * dialog: every request toward it goes to its own Contact (the dialog's remote target), with the
 * From, To and P-Asserted-Identity it first saw, whatever the phone put in its request. REFER is
 * refused: a transfer would have the carrier place a call the caller's dial plan never approved.
 */
import { parseNameAddr } from './header-values';
import { header, setHeader, type SipHeader, type SipRequest } from './message';
import { ALLOW } from './methods';

export interface TrunkLeg {
  /** Which end of the dialog is the carrier. */
  readonly side: 'caller' | 'callee';
  /** Request-URI of every request toward the carrier: its Contact, refreshed by its 2xx to a re-INVITE. */
  target: string;
  /** The edge's party as the carrier knows it: our From (outbound, the presented caller id) or our To (inbound), tag included. */
  readonly local: string;
  /** The carrier's party as it answered, tag included. */
  readonly remote: string;
  /** P-Asserted-Identity toward the carrier: the caller id presented (outbound) or the number it called (inbound). */
  readonly asserted: string;
}

/** Methods a phone may send toward a carrier inside a dialog: everything but REFER. */
export const TRUNK_ALLOW = ALLOW.split(', ')
  .filter((m) => m !== 'REFER')
  .join(', ');

const IDENTITY_HEADERS = new Set(['p-asserted-identity', 'p-preferred-identity', 'remote-party-id']);

/** The leg of an outbound call (the carrier answered our INVITE). */
export function outboundLeg(forwardedInvite: SipRequest, answer: { to: string; contact: string | undefined }): TrunkLeg {
  const from = header(forwardedInvite, 'from')!;
  const asserted = header(forwardedInvite, 'p-asserted-identity') ?? `<${parseNameAddr(from)?.uri.toString() ?? ''}>`;
  return { side: 'callee', target: answer.contact ?? forwardedInvite.uri, local: from, remote: answer.to, asserted };
}

/** The leg of an inbound call (the carrier sent the INVITE). */
export function inboundLeg(invite: SipRequest, answer: { to: string }, contact: string | undefined): TrunkLeg {
  const from = header(invite, 'from')!;
  const target = contact ?? parseNameAddr(from)?.uri.toString() ?? invite.uri;
  const called = parseNameAddr(answer.to)?.uri.toString() ?? invite.uri;
  return { side: 'caller', target, local: answer.to, remote: from, asserted: `<${called}>` };
}

/**
 * Rewrites a request toward the carrier to what the dialog presented; returns the headers the
 * phone sent, to be put back on the responses it receives.
 */
export function presentToTrunk(leg: TrunkLeg, forwarded: SipRequest): SipHeader[] {
  const restore = [
    { name: 'from', value: header(forwarded, 'from')! },
    { name: 'to', value: header(forwarded, 'to')! },
  ];
  forwarded.uri = leg.target;
  setHeader(forwarded, 'from', leg.local);
  setHeader(forwarded, 'to', leg.remote);
  forwarded.headers = forwarded.headers.filter((h) => !IDENTITY_HEADERS.has(h.name));
  forwarded.headers.push({ name: 'p-asserted-identity', value: leg.asserted });
  return restore;
}
