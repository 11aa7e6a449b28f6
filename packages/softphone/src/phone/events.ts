export type RegistrationState = 'unregistered' | 'connecting' | 'registered' | 'failed';
export type CallState = 'idle' | 'outgoing' | 'incoming' | 'connected';

export interface RemoteParty {
  /** `sip:102@acme-dental.sip.localhost` */
  uri: string;
  /** Display name from the From/To header; empty when the other side sent none. */
  displayName: string;
}

/**
 * Why a call ended. `local_hangup` and `rejected` are this phone's doing; `declined`, `busy`,
 * `unavailable` and `not_found` are the far end's or the edge's answer to our INVITE.
 */
export type CallEndReason =
  | 'local_hangup'
  | 'remote_hangup'
  | 'rejected'
  | 'cancelled'
  | 'declined'
  | 'busy'
  | 'unavailable'
  | 'not_found'
  | 'failed';

export interface PhoneState {
  registration: RegistrationState;
  callState: CallState;
  remote: RemoteParty | undefined;
}

export interface IncomingCallDetail {
  from: string;
  displayName: string;
}

export interface CallEndedDetail {
  reason: CallEndReason;
  /** The SIP status that ended the call attempt, when one did. */
  statusCode?: number;
}

/** Events of a `PhoneController`; each is a `CustomEvent` whose `detail` is typed here. */
export interface PhoneEventMap {
  registered: CustomEvent<{ aor: string }>;
  /** `reason`: `stopped` (stop() called), `connection_lost` (will reconnect) or `expired`. */
  unregistered: CustomEvent<{ reason: string }>;
  /** `reason`: the WebSocket close reason (`token_expired`, …), `connection_failed`, or `<status> <phrase>` of a refused REGISTER. */
  'registration-failed': CustomEvent<{ reason: string }>;
  'incoming-call': CustomEvent<IncomingCallDetail>;
  'call-connected': CustomEvent<{ remote: RemoteParty | undefined }>;
  'call-ended': CustomEvent<CallEndedDetail>;
  'state-change': CustomEvent<PhoneState>;
}

/** Maps a final SIP response to our INVITE onto why the call did not happen. */
export function reasonForStatus(statusCode: number): CallEndReason {
  if (statusCode === 486 || statusCode === 600) return 'busy';
  if (statusCode === 603) return 'declined';
  if (statusCode === 404 || statusCode === 604) return 'not_found';
  if (statusCode === 480 || statusCode === 408) return 'unavailable';
  if (statusCode === 487) return 'cancelled';
  return 'failed';
}
