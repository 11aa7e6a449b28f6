export type RegistrationState = 'unregistered' | 'connecting' | 'registered' | 'failed';
export type CallState = 'idle' | 'outgoing' | 'incoming' | 'connected';

export interface RemoteParty {
  /** `sip:102@acme-dental.sip.localhost` */
  uri: string;
  /** Display name from the From/To header; empty when the other side sent none. */
  displayName: string;
}

/**
 * Why a call ended. `line_limit`: the tenant's channel limit refused it. `connection_lost`: the
 * WebSocket dropped and the call could not be kept. `transferred`: a transfer took it elsewhere. `local_hangup` and `rejected` are this phone's doing; `declined`, `busy`,
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
  | 'line_limit'
  | 'connection_lost'
  | 'transferred'
  | 'failed';

export interface PhoneState {
  registration: RegistrationState;
  callState: CallState;
  remote: RemoteParty | undefined;
  /** The microphone is muted in the current call. */
  muted: boolean;
  /** The current call is on hold (this side put it there). */
  held: boolean;
  /** A second call is up beside the current one: it rings in while another is connected (call waiting), or it is the consulted call of an attended transfer. */
  waiting: boolean;
}

/**
 * Whether a retry follows a registration problem, and when: `retryAt` (epoch milliseconds) is set
 * when the phone will try again by itself, absent when it waits for the page (a new token, new
 * credentials).
 */
export interface RetryInfo {
  retryAt?: number;
}

export interface IncomingCallDetail {
  from: string;
  displayName: string;
  /** Another call is connected: answering this one puts it on hold (call waiting). */
  waiting: boolean;
}

export interface MessageDetail {
  from: string;
  displayName: string;
  text: string;
}

export interface CallEndedDetail {
  reason: CallEndReason;
  /** The SIP status that ended the call attempt, when one did. */
  statusCode?: number;
}

/** Events of a `PhoneController`; each is a `CustomEvent` whose `detail` is typed here. */
export interface PhoneEventMap {
  registered: CustomEvent<{ aor: string }>;
  /** `reason`: `stopped` (stop() called), `connection_lost` or `expired`. */
  unregistered: CustomEvent<{ reason: string } & RetryInfo>;
  /**
   * `reason`: the WebSocket close reason (`token_expired`, …), `connection_failed`, or
   * `<status> <phrase>` of a refused REGISTER (then `statusCode` too).
   */
  'registration-failed': CustomEvent<{ reason: string; statusCode?: number } & RetryInfo>;
  /** The token expires at `expiresAt` (epoch ms): fired from 60 s before, every 15 s, until `updateToken()`. */
  'token-will-expire': CustomEvent<{ expiresAt: number }>;
  'incoming-call': CustomEvent<IncomingCallDetail>;
  'call-connected': CustomEvent<{ remote: RemoteParty | undefined }>;
  'call-ended': CustomEvent<CallEndedDetail>;
  'state-change': CustomEvent<PhoneState>;
  /** A text message (SIP MESSAGE) arrived; `from` is the sender's URI. */
  message: CustomEvent<MessageDetail>;
}

/**
 * Maps a final SIP response to our INVITE onto why the call did not happen. The edge refuses a
 * call over the tenant's channel limit with 403 and a Reason header naming the limit.
 */
export function reasonForStatus(statusCode: number, reasonHeader = ''): CallEndReason {
  if (statusCode === 403 && /channel limit/i.test(reasonHeader)) return 'line_limit';
  if (statusCode === 486 || statusCode === 600) return 'busy';
  if (statusCode === 603) return 'declined';
  if (statusCode === 404 || statusCode === 604) return 'not_found';
  if (statusCode === 480 || statusCode === 408) return 'unavailable';
  if (statusCode === 487) return 'cancelled';
  return 'failed';
}
