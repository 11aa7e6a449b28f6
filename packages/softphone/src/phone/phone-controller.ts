// sip.js is imported module by module: its index re-exports SimpleUser and the session manager,
// which this controller replaces, and the bundle budget is measured against SimpleUser itself.
import { UserAgent } from 'sip.js/lib/api/user-agent.js';
import { Registerer } from 'sip.js/lib/api/registerer.js';
import { RegistererState } from 'sip.js/lib/api/registerer-state.js';
import { Inviter } from 'sip.js/lib/api/inviter.js';
import { SessionState } from 'sip.js/lib/api/session-state.js';
import { TransportState } from 'sip.js/lib/api/transport-state.js';
import type { Invitation } from 'sip.js/lib/api/invitation.js';
import type { Session } from 'sip.js/lib/api/session.js';
import type { SessionDelegate } from 'sip.js/lib/api/session-delegate.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler.js';
import type { Transport as WebTransport } from 'sip.js/lib/platform/web/transport/transport.js';
import { resolvePhoneConfig, type PhoneConfig, type PhoneOptions } from './config';
import { PhoneStateError, PhoneTargetError } from './errors';
import {
  reasonForStatus,
  type CallEndReason,
  type CallState,
  type PhoneEventMap,
  type PhoneState,
  type RegistrationState,
  type RemoteParty,
} from './events';
import { isRefusal, reconnectDelayMs } from './reconnect';
import { targetToUri } from './target';

const AUDIO_ONLY = { constraints: { audio: true, video: false } };
const STOP_TIMEOUT_MS = 2_000;
const ignore = () => {};

export interface PhoneController {
  addEventListener<K extends keyof PhoneEventMap>(
    type: K,
    listener: (event: PhoneEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PhoneEventMap>(
    type: K,
    listener: (event: PhoneEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * A phone without a face: registers one extension over SIP-over-WebSocket and makes or takes one
 * audio call at a time. Knows nothing of the DOM beyond WebRTC and media; `<highrise-softphone>`
 * renders its state, and a page can use it alone.
 *
 * ```ts
 * const phone = new PhoneController({ token });
 * phone.addEventListener('incoming-call', (e) => console.log(e.detail.from));
 * await phone.start();
 * await phone.call('102');
 * ```
 */
export class PhoneController extends EventTarget {
  /** The resolved configuration; throws `PhoneConfigError` from the constructor when options are insufficient. */
  readonly config: PhoneConfig;

  #ua: UserAgent | undefined;
  #registerer: Registerer | undefined;
  #registration: RegistrationState = 'unregistered';
  #reconnectAttempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastClose: { code: number; reason: string } | undefined;

  #session: Session | undefined;
  #direction: 'incoming' | 'outgoing' | undefined;
  #callState: CallState = 'idle';
  #remote: RemoteParty | undefined;
  #endReason: CallEndReason | undefined;
  #endStatus: number | undefined;

  constructor(options: PhoneOptions) {
    super();
    this.config = resolvePhoneConfig(options);
  }

  get registration(): RegistrationState {
    return this.#registration;
  }

  get callState(): CallState {
    return this.#callState;
  }

  get remote(): RemoteParty | undefined {
    return this.#remote;
  }

  get state(): PhoneState {
    return { registration: this.#registration, callState: this.#callState, remote: this.#remote };
  }

  /** The current call's peer connection (for `getStats()`), or undefined outside a call. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#mediaHandler()?.peerConnection;
  }

  /** The far end's audio in the current call. */
  get remoteStream(): MediaStream | undefined {
    return this.#mediaHandler()?.remoteMediaStream;
  }

  /** Connects and registers. Resolves once the first connection attempt is over; failures arrive as events. */
  async start(): Promise<void> {
    if (this.#ua) return;
    const { config } = this;
    const ua = new UserAgent({
      uri: UserAgent.makeURI(config.aor),
      displayName: config.displayName,
      authorizationUsername: config.authorizationUsername,
      authorizationPassword: config.authorizationPassword,
      transportOptions: { server: config.wsUrl },
      logLevel: 'warn',
      // sip.js reports expected trouble (a refused socket, a late BYE) as errors; on a reseller's
      // page those are warnings of the widget, not errors of the page.
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') console.warn(`[highrise-softphone] ${category}: ${content}`);
      },
      sessionDescriptionHandlerFactoryOptions: {
        // Given explicitly: sip.js's default configuration names a public STUN server.
        peerConnectionConfiguration: { iceServers: config.iceServers },
        iceGatheringTimeout: config.iceGatheringTimeout,
      },
      delegate: {
        onConnect: () => this.#onConnect(ua),
        onDisconnect: (error) => this.#onDisconnect(ua, error),
        onInvite: (invitation) => this.#onInvite(invitation),
        // Out-of-dialog REFER is refused too; a REFER is never followed.
        onReferRequest: (request) => request.reject({ statusCode: 403 }),
      },
    });
    this.#ua = ua;
    ua.transport.stateChange.addListener((state) => {
      if (state !== TransportState.Connected) return;
      // sip.js does not pass the close reason on; the edge explains a refused token only there.
      (ua.transport as WebTransport).ws?.addEventListener('close', (event) => {
        if (ua === this.#ua) this.#lastClose = { code: event.code, reason: event.reason };
      });
    });
    this.#setRegistration('connecting');
    await this.#connect(ua, true);
  }

  /** Hangs up, unregisters and disconnects. The controller can be started again. */
  async stop(): Promise<void> {
    const ua = this.#ua;
    if (!ua) return;
    this.#ua = undefined;
    this.#registerer = undefined;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#session) {
      this.#endReason ??= 'local_hangup';
      this.#finishCall(this.#session);
    }
    const wasRegistered = this.#registration === 'registered';
    this.#setRegistration('unregistered');
    if (wasRegistered) this.#emit('unregistered', { reason: 'stopped' });
    // UserAgent.stop() unregisters and ends sessions politely; do not wait on a silent server.
    await Promise.race([ua.stop().catch(ignore), new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS))]);
  }

  /** Calls `target`: a number dialled in the own domain (`102`), `user@host`, or a `sip:` URI. */
  async call(target: string): Promise<void> {
    const ua = this.#ua;
    if (!ua || this.#registration !== 'registered') throw new PhoneStateError('cannot call: not registered');
    if (this.#session) throw new PhoneStateError('cannot call: a call is already in progress');
    const uri = UserAgent.makeURI(targetToUri(target, this.config.domain));
    if (!uri) throw new PhoneTargetError(`not a SIP URI: ${target}`);
    const inviter = new Inviter(ua, uri, {
      sessionDescriptionHandlerOptions: AUDIO_ONLY,
      delegate: this.#sessionDelegate(),
    });
    this.#beginCall(inviter, 'outgoing', { uri: uri.toString(), displayName: '' });
    try {
      await inviter.invite({
        requestDelegate: {
          onReject: (response) => {
            const statusCode = response.message.statusCode ?? 0;
            this.#endStatus ??= statusCode;
            this.#endReason ??= reasonForStatus(statusCode);
          },
        },
      });
    } catch (error) {
      // e.g. the microphone was refused: sip.js may leave the session half-made.
      this.#endReason ??= 'failed';
      this.#finishCall(inviter);
      throw error;
    }
  }

  /** Answers the ringing incoming call with audio. */
  async answer(): Promise<void> {
    const invitation = this.#incoming();
    if (!invitation || this.#callState !== 'incoming') throw new PhoneStateError('no incoming call to answer');
    await invitation.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
  }

  /** Declines the ringing incoming call (603 Decline). */
  async reject(): Promise<void> {
    const invitation = this.#incoming();
    if (!invitation || this.#callState !== 'incoming') throw new PhoneStateError('no incoming call to reject');
    this.#endReason ??= 'rejected';
    await invitation.reject({ statusCode: 603 });
  }

  /** Ends the current call whatever its state: CANCEL while ringing out, decline while ringing in, BYE when connected. */
  async hangup(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    if (session.state === SessionState.Established) {
      this.#endReason ??= 'local_hangup';
      await session.bye();
    } else if (session.state === SessionState.Initial || session.state === SessionState.Establishing) {
      if (this.#direction === 'outgoing') {
        this.#endReason ??= 'local_hangup';
        await (session as Inviter).cancel();
      } else {
        await this.reject();
      }
    }
  }

  /** Sends DTMF tones (`0-9*#`) in the connected call as RTP events. Returns false when there is no call to send them in. */
  sendDtmf(tones: string): boolean {
    if (this.#callState !== 'connected') return false;
    return this.#mediaHandler()?.sendDtmf(tones) ?? false;
  }

  // --- connection and registration -----------------------------------------------------------

  async #connect(ua: UserAgent, first: boolean): Promise<void> {
    try {
      await (first ? ua.start() : ua.reconnect());
    } catch {
      if (ua !== this.#ua) return;
      this.#fail('connection_failed');
      this.#scheduleReconnect(ua);
    }
  }

  #onConnect(ua: UserAgent): void {
    if (ua !== this.#ua) return;
    this.#reconnectAttempt = 0;
    this.#lastClose = undefined;
    const registerer = new Registerer(ua);
    this.#registerer = registerer;
    registerer.stateChange.addListener((state) => {
      if (registerer !== this.#registerer) return;
      if (state === RegistererState.Registered) {
        this.#setRegistration('registered');
        this.#emit('registered', { aor: this.config.aor });
      } else if (state === RegistererState.Unregistered && this.#registration === 'registered') {
        this.#setRegistration('unregistered');
        this.#emit('unregistered', { reason: 'expired' });
      }
    });
    registerer
      .register({
        requestDelegate: {
          onReject: (response) => {
            if (registerer !== this.#registerer) return;
            const { statusCode, reasonPhrase } = response.message;
            this.#fail(`${statusCode} ${reasonPhrase}`);
          },
        },
      })
      .catch(ignore);
  }

  #onDisconnect(ua: UserAgent, error?: Error): void {
    // No error: we asked to disconnect.
    if (!error || ua !== this.#ua) return;
    // The WebSocket's own close listener (which knows the reason) runs after sip.js's; let it.
    setTimeout(() => {
      if (ua !== this.#ua) return;
      // A Registerer does not survive its connection: dispose of it while the socket is down, so
      // its farewell un-REGISTER cannot reach the edge, and register anew once reconnected.
      const stale = this.#registerer;
      this.#registerer = undefined;
      void stale?.dispose().catch(ignore);
      const close = this.#lastClose;
      if (close && isRefusal(close)) {
        this.#ua = undefined;
        void ua.stop().catch(ignore);
        this.#fail(close.reason || `closed_${close.code}`);
        return;
      }
      const wasRegistered = this.#registration === 'registered';
      this.#setRegistration('connecting');
      if (wasRegistered) this.#emit('unregistered', { reason: 'connection_lost' });
      this.#scheduleReconnect(ua);
    }, 0);
  }

  #scheduleReconnect(ua: UserAgent): void {
    if (this.#reconnectTimer) return;
    const delay = reconnectDelayMs(this.#reconnectAttempt++);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (ua !== this.#ua) return;
      this.#setRegistration('connecting');
      void this.#connect(ua, false);
    }, delay);
  }

  #fail(reason: string): void {
    this.#setRegistration('failed');
    this.#emit('registration-failed', { reason });
  }

  // --- calls ---------------------------------------------------------------------------------

  #onInvite(invitation: Invitation): void {
    if (this.#session || this.#registration !== 'registered') {
      void invitation.reject({ statusCode: 486 }).catch(ignore);
      return;
    }
    invitation.delegate = this.#sessionDelegate();
    const identity = invitation.remoteIdentity;
    const remote = { uri: identity.uri.toString(), displayName: identity.displayName || '' };
    this.#beginCall(invitation, 'incoming', remote);
    this.#emit('incoming-call', { from: remote.uri, displayName: remote.displayName });
    void invitation.progress().catch(ignore);
  }

  #sessionDelegate(): SessionDelegate {
    return {
      onRefer: (referral) => void referral.reject().catch(ignore),
      onBye: (bye) => {
        this.#endReason ??= 'remote_hangup';
        void bye.accept().catch(ignore);
      },
      onCancel: () => {
        this.#endReason ??= 'cancelled';
      },
    };
  }

  #beginCall(session: Session, direction: 'incoming' | 'outgoing', remote: RemoteParty): void {
    this.#session = session;
    this.#direction = direction;
    this.#remote = remote;
    this.#endReason = undefined;
    this.#endStatus = undefined;
    session.stateChange.addListener((state) => {
      if (session !== this.#session) return;
      if (state === SessionState.Established) {
        this.#setCall('connected');
        this.#emit('call-connected', { remote: this.#remote });
      } else if (state === SessionState.Terminated) {
        // sip.js announces Terminated before it hands the final response to our onReject.
        queueMicrotask(() => this.#finishCall(session));
      }
    });
    this.#setCall(direction);
  }

  #finishCall(session: Session): void {
    if (session !== this.#session) return;
    const wasConnected = this.#callState === 'connected';
    const reason = this.#endReason ?? (wasConnected ? 'remote_hangup' : this.#direction === 'incoming' ? 'cancelled' : 'failed');
    const statusCode = this.#endStatus;
    this.#session = undefined;
    this.#direction = undefined;
    this.#remote = undefined;
    if (session.state !== SessionState.Terminated) void session.dispose().catch(ignore);
    this.#setCall('idle');
    this.#emit('call-ended', statusCode === undefined ? { reason } : { reason, statusCode });
  }

  #incoming(): Invitation | undefined {
    return this.#direction === 'incoming' ? (this.#session as Invitation | undefined) : undefined;
  }

  #mediaHandler(): SessionDescriptionHandler | undefined {
    return this.#session?.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
  }

  // --- state ---------------------------------------------------------------------------------

  #setRegistration(registration: RegistrationState): void {
    if (registration === this.#registration) return;
    this.#registration = registration;
    this.#emit('state-change', this.state);
  }

  #setCall(callState: CallState): void {
    if (callState === this.#callState) return;
    this.#callState = callState;
    this.#emit('state-change', this.state);
  }

  #emit<K extends keyof PhoneEventMap>(type: K, detail: PhoneEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
