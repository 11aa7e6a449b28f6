// sip.js is imported module by module: its index re-exports SimpleUser and the session manager,
// which this controller replaces, and the bundle budget is measured against SimpleUser itself.
import { UserAgent } from 'sip.js/lib/api/user-agent.js';
import { Registerer } from 'sip.js/lib/api/registerer.js';
import { RegistererState } from 'sip.js/lib/api/registerer-state.js';
import { Inviter } from 'sip.js/lib/api/inviter.js';
import { SessionState } from 'sip.js/lib/api/session-state.js';
import { TransportState } from 'sip.js/lib/api/transport-state.js';
import type { Invitation } from 'sip.js/lib/api/invitation.js';
import type { UserAgentOptions } from 'sip.js/lib/api/user-agent-options.js';
import type { IncomingResponse } from 'sip.js/lib/core/messages/incoming-response.js';
import type { Session } from 'sip.js/lib/api/session.js';
import type { SessionDelegate } from 'sip.js/lib/api/session-delegate.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler.js';
import type { Transport as WebTransport } from 'sip.js/lib/platform/web/transport/transport.js';
import type { SessionDescriptionHandlerOptions as WebSdhOptions } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler-options.js';
import { resolvePhoneConfig, type PhoneConfig, type PhoneOptions } from './config';
import { PhoneConfigError, PhoneStateError, PhoneTargetError } from './errors';
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
import { nextTokenWarningInMs, retryAfterMs } from './token-expiry';
import { FailoverTransport } from './failover-transport';
import { renewCredentials } from './ua-credentials';

const STOP_TIMEOUT_MS = 2_000;
/** A double-CRLF ping (RFC 7118 / 5626) this often keeps idle proxies and NATs from dropping a quiet phone's socket. */
const KEEP_ALIVE_SECONDS = 25;
const ignore = () => {};

/** Sends a request (in a dialog, or a MESSAGE) and settles with its final response: a refusal rejects, saying what was refused. */
function settle(what: string, send: (delegate: { onAccept(): void; onReject(response: IncomingResponse): void }) => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    send({
      onAccept: () => resolve(),
      onReject: ({ message }) => reject(new PhoneStateError(`${what} refused: ${message.statusCode} ${message.reasonPhrase}`)),
    }).catch(reject);
  });
}

/** A call the phone holds, and what it knows about it. */
interface Call {
  session: Session;
  direction: 'incoming' | 'outgoing';
  remote: RemoteParty;
  endReason?: CallEndReason;
  endStatus?: number;
  muted: boolean;
  held: boolean;
  /** The microphone track while held: the sender carries none, so the far end hears (and gets) nothing. */
  heldTrack?: MediaStreamTrack | null;
  connected?: boolean;
  /** Set while the socket is down mid-call: the call ends with `connection_lost` when it fires. */
  lost?: ReturnType<typeof setTimeout>;
}

/** How long a connected call waits for the phone to reconnect and take it back (the edge keeps it 30 s). */
const CALL_GRACE_MS = 25_000;
/** The re-INVITE that takes a call back after a reconnect: new ICE over the new path. */
const ICE_RESTART: WebSdhOptions = { offerOptions: { iceRestart: true } };

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
  #config: PhoneConfig;
  #options: PhoneOptions;

  #ua: UserAgent | undefined;
  #registerer: Registerer | undefined;
  #registration: RegistrationState = 'unregistered';
  #reconnectAttempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #registerTimer: ReturnType<typeof setTimeout> | undefined;
  #tokenTimer: ReturnType<typeof setTimeout> | undefined;
  #lastClose: { code: number; reason: string } | undefined;
  /** Registration was refused and no retry follows (a wrong password): refreshing would only be refused again. */
  #stuck = false;

  /**
   * The calls, oldest first; the last is in the foreground. Two at most: a call that rings in
   * while one is up (call waiting), or the consulted one of an attended transfer.
   */
  #calls: Call[] = [];
  /** The microphone calls use (`deviceId` of an `audioinput`); undefined: the browser's default. */
  #inputDeviceId: string | undefined;
  /** The foreground call the state last described, so a change of foreground is announced. */
  #shown: Call | undefined;
  #callState: CallState = 'idle';

  constructor(options: PhoneOptions) {
    super();
    this.#options = options;
    this.#config = resolvePhoneConfig(options);
  }

  /** The resolved configuration; the constructor throws `PhoneConfigError` when options are insufficient. */
  get config(): PhoneConfig {
    return this.#config;
  }

  get registration(): RegistrationState {
    return this.#registration;
  }

  get callState(): CallState {
    return this.#callState;
  }

  get remote(): RemoteParty | undefined {
    return this.#current()?.remote;
  }

  get state(): PhoneState {
    const call = this.#current();
    return {
      registration: this.#registration,
      callState: this.#callState,
      remote: call?.remote,
      muted: !!call?.muted,
      held: !!call?.held,
      waiting: this.#calls.length > 1,
    };
  }

  /** The foreground call's peer connection (for `getStats()`), or undefined outside a call. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#mediaHandler()?.peerConnection;
  }

  /** The far end's audio in the newest connected call (the held one's while a second call rings). */
  get remoteStream(): MediaStream | undefined {
    return (this.#calls.findLast((call) => call.connected)?.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.remoteMediaStream;
  }

  get inputDeviceId(): string | undefined {
    return this.#inputDeviceId;
  }

  /**
   * Chooses the microphone (`deviceId` of an `audioinput`; empty or undefined: the default) for
   * the calls to come and, at once, for the calls that are up: their track is replaced
   * (`replaceTrack`, no re-INVITE), keeping mute and hold as they were.
   */
  async setInputDevice(deviceId: string | undefined): Promise<void> {
    this.#inputDeviceId = deviceId || undefined;
    for (const call of this.#calls) {
      const sdh = call.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
      const sender = sdh?.peerConnection?.getSenders()[0];
      if (!sender || !call.connected) continue;
      const [track] = (await navigator.mediaDevices.getUserMedia(this.#media().constraints)).getAudioTracks();
      track!.enabled = !call.muted;
      // sip.js stops the tracks of its local stream when the call ends: keep the new one there.
      const local = sdh!.localMediaStream;
      for (const old of local.getAudioTracks()) {
        old.stop();
        local.removeTrack(old);
      }
      local.addTrack(track!);
      if (call.held) call.heldTrack = track;
      else await sender.replaceTrack(track!);
    }
  }

  /** Connects and registers. Resolves once the first connection attempt is over; failures arrive as events. */
  async start(): Promise<void> {
    if (this.#ua) return;
    const config = this.#config;
    const ua = new UserAgent({
      uri: UserAgent.makeURI(config.aor),
      displayName: config.displayName,
      authorizationUsername: config.authorizationUsername,
      authorizationPassword: config.authorizationPassword,
      // Several URLs (Kamailio nodes): a dropped connection reconnects to the next.
      transportConstructor: FailoverTransport,
      transportOptions: { server: config.wsUrl, keepAliveInterval: KEEP_ALIVE_SECONDS },
      logLevel: 'warn',
      // sip.js reports expected trouble (a refused socket, a late BYE) as errors; on a reseller's
      // page those are warnings of the widget, not errors of the page.
      logBuiltinEnabled: false,
      // (logLevel 'warn' passes only warnings and errors on.)
      logConnector: (_level, category, _label, content) => console.warn(`[highrise-softphone] ${category}: ${content}`),
      // Attended transfer: an INVITE with Replaces takes over one of our calls (RFC 3891).
      sipExtensionReplaces: 'Supported' as UserAgentOptions['sipExtensionReplaces'],
      sessionDescriptionHandlerFactoryOptions: {
        // Given explicitly: sip.js's default configuration names a public STUN server.
        peerConnectionConfiguration: { iceServers: config.iceServers },
        iceGatheringTimeout: config.iceGatheringTimeout,
      },
      delegate: {
        onConnect: () => this.#onConnect(ua),
        onDisconnect: (error) => this.#onDisconnect(ua, error),
        onInvite: (invitation) => this.#onInvite(invitation),
        onMessage: (message) => {
          const { from, body } = message.request;
          void message.accept().catch(ignore);
          this.#emit('message', { from: from.uri.toString(), displayName: from.displayName || '', text: body || '' });
        },
        // Out-of-dialog REFER is refused; only the far end of a call may transfer it.
        onReferRequest: (request) => request.reject({ statusCode: 403 }),
      },
    });
    this.#ua = ua;
    (ua.transport as FailoverTransport).urls = config.wsUrls;
    ua.transport.stateChange.addListener((state) => {
      if (state !== TransportState.Connected) return;
      // sip.js does not pass the close reason on; the edge explains a refused token only there.
      (ua.transport as WebTransport).ws?.addEventListener('close', (event) => {
        if (ua === this.#ua) this.#lastClose = { code: event.code, reason: event.reason };
      });
    });
    this.#armTokenWarning(false);
    this.#setRegistration('connecting');
    await this.#connect(ua, true);
  }

  /** Hangs up, unregisters and disconnects. The controller can be started again. */
  async stop(): Promise<void> {
    const ua = this.#ua;
    this.#clearTimers();
    for (const call of this.#calls.toReversed()) {
      call.endReason ??= 'local_hangup';
      this.#finishCall(call);
    }
    if (!ua) return;
    this.#ua = undefined;
    this.#registerer = undefined;
    const wasRegistered = this.#registration === 'registered';
    this.#setRegistration('unregistered');
    if (wasRegistered) this.#emit('unregistered', { reason: 'stopped' });
    // UserAgent.stop() unregisters and ends sessions politely; do not wait on a silent server.
    await Promise.race([ua.stop().catch(ignore), new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS))]);
  }

  /**
   * Replaces the token before it expires: a REGISTER carries it on the live connection at once, and
   * calls are untouched. A token for another extension is refused: make a new phone.
   */
  updateToken(token: string): void {
    const options = { ...this.#options, token };
    const config = resolvePhoneConfig(options);
    if (config.aor !== this.#config.aor) throw new PhoneConfigError(`token is for ${config.aor}`);
    this.#options = options;
    this.#config = config;
    this.#armTokenWarning(false);
    const ua = this.#ua;
    if (ua) {
      // A token for Kamailio brings new digest credentials (and perhaps other nodes): the next challenge uses them.
      renewCredentials(ua, config.authorizationUsername, config.authorizationPassword);
      (ua.transport as FailoverTransport).urls = config.wsUrls;
    } else {
      // A phone refused for its expired token comes back with the new one.
      if (this.#registration === 'failed') void this.start();
      return;
    }
    // With no Registerer the socket is down: the reconnect registers with the new token.
    this.#register(ua);
  }

  /**
   * Makes sure the phone is connected and registered now: reconnects at once (no backoff wait) when
   * the socket is down, re-registers when it is up. The element calls it when the page comes back
   * online, becomes visible or is restored from the back/forward cache.
   */
  refresh(): void {
    const ua = this.#ua;
    if (!ua || this.#stuck) return;
    if (ua.transport.isConnected()) {
      if (this.#registerer) this.#register(ua);
      return;
    }
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#reconnectAttempt = 0;
    void this.#connect(ua, false);
  }

  /** Calls `target`: a number dialled in the own domain (`102`), `user@host`, or a `sip:` URI. */
  async call(target: string): Promise<void> {
    if (this.#calls.length) throw new PhoneStateError('cannot call: a call is already in progress');
    await this.#dial(target);
  }

  /** Answers the ringing incoming call with audio; a call already up is put on hold first. */
  async answer(): Promise<void> {
    const call = this.#current();
    if (!call || this.#callState !== 'incoming') throw new PhoneStateError('no incoming call to answer');
    await this.#holdOther(call);
    await (call.session as Invitation).accept({ sessionDescriptionHandlerOptions: this.#media() });
  }

  /** Declines the ringing incoming call (603 Decline). */
  async reject(): Promise<void> {
    const call = this.#current();
    if (!call || this.#callState !== 'incoming') throw new PhoneStateError('no incoming call to reject');
    call.endReason ??= 'rejected';
    await (call.session as Invitation).reject({ statusCode: 603 });
  }

  /** Ends the foreground call whatever its state: CANCEL while ringing out, decline while ringing in, BYE when connected. */
  async hangup(): Promise<void> {
    const call = this.#current();
    if (!call) return;
    const { session } = call;
    if (session.state === SessionState.Established) {
      call.endReason ??= 'local_hangup';
      await session.bye();
    } else if (session.state === SessionState.Initial || session.state === SessionState.Establishing) {
      if (call.direction === 'outgoing') {
        call.endReason ??= 'local_hangup';
        await (session as Inviter).cancel();
      } else {
        await this.reject();
      }
    }
  }

  /** Sends DTMF tones (`0-9*#`) in the connected call as RTP events. Returns false when there is no call to send them in. */
  sendDtmf(tones: string): boolean {
    if (this.#callState !== 'connected') return false;
    // insertDTMF replaces the tones still queued: keys pressed quickly would be lost, so keep them.
    return this.#mediaHandler()?.sendDtmf((this.peerConnection?.getSenders()[0]?.dtmf?.toneBuffer ?? '') + tones) ?? false;
  }

  /** Mutes the microphone in the foreground call: the far end hears silence. */
  mute(): void {
    this.#setMuted(true);
  }

  unmute(): void {
    this.#setMuted(false);
  }

  /**
   * Puts the foreground call on hold: a re-INVITE offering `sendonly`, and no microphone audio
   * sent. If the far end refuses, the call stays as it was (sip.js rolls the offer back) and this rejects.
   */
  async hold(): Promise<void> {
    await this.#setHold(this.#requireConnected(), true);
  }

  /** Resumes the foreground call; the other call, if one is up, goes on hold first. */
  async unhold(): Promise<void> {
    const call = this.#requireConnected();
    await this.#holdOther(call);
    await this.#setHold(call, false);
  }

  /** Blind transfer: asks the far end to call `target` instead (REFER), then leaves the call. */
  async transfer(target: string): Promise<void> {
    const call = this.#requireConnected();
    await this.#refer(call, this.#uri(target));
  }

  /**
   * Attended transfer, first step: puts the call on hold and calls `target`, who can be told who
   * is coming. `completeTransfer()` then joins the two; hanging up the consulted call returns to
   * the held one.
   */
  async consult(target: string): Promise<void> {
    const call = this.#requireConnected();
    if (this.#calls.length > 1) throw new PhoneStateError('cannot consult: two calls are up');
    await this.#setHold(call, true);
    await this.#dial(target);
  }

  /**
   * Attended transfer, second step: asks the held call's far end to call the consulted party with
   * `Replaces` naming our call with it (REFER, RFC 3891), so the consulted call is taken over, then
   * leaves the held call. The consulted call ends when the far ends have joined (its BYE comes
   * from the party who took it over).
   */
  async completeTransfer(): Promise<void> {
    const consulted = this.#requireConnected();
    const held = this.#calls[0]!;
    const dialog = consulted.session.dialog;
    if (held === consulted || !dialog) throw new PhoneStateError('no consulted call to transfer to');
    // sip.js writes `Refer-To: "name" <target?Replaces=…>` for a Session, taking the target from
    // the dialog's remote contact: an address only the edge can reach. A stand-in gives the
    // consulted party's own URI instead, which the edge routes through the transferor's dial plan.
    const target = {
      dialog: { callId: dialog.callId, localTag: dialog.localTag, remoteTag: dialog.remoteTag, remoteTarget: consulted.remote.uri },
      remoteIdentity: consulted.session.remoteIdentity,
    } as unknown as Session;
    consulted.endReason = 'transferred';
    await this.#refer(held, target).catch((error: unknown) => {
      consulted.endReason = undefined;
      throw error;
    });
  }

  /** Sends a text message (SIP MESSAGE, text/plain) to `target`; resolves once the far end accepted it. */
  async sendMessage(target: string, text: string): Promise<void> {
    const ua = this.#ua;
    if (!ua || this.#registration !== 'registered') throw new PhoneStateError('cannot send a message: not registered');
    const uri = this.#uri(target);
    // What sip.js's Messager does, without the class.
    const core = ua.userAgentCore;
    const body = { contentDisposition: 'render', contentType: 'text/plain', content: text };
    await settle('message', async (requestDelegate) => core.request(core.makeOutgoingRequestMessage('MESSAGE', uri, core.configuration.aor, uri, {}, [], body), requestDelegate));
  }

  // --- connection and registration -----------------------------------------------------------

  async #connect(ua: UserAgent, first: boolean): Promise<void> {
    try {
      await (first ? ua.start() : ua.reconnect());
    } catch {
      if (ua !== this.#ua) return;
      this.#scheduleReconnect(ua, 'connection_failed');
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
        this.#stuck = false;
        this.#reconnectAttempt = 0;
        this.#setRegistration('registered');
        this.#emit('registered', { aor: this.#config.aor });
        for (const call of this.#calls) {
          if (!call.lost) continue;
          const lose = () => this.#lose(call);
          call.session
            .invite({
              sessionDescriptionHandlerOptions: ICE_RESTART,
              requestDelegate: { onAccept: () => (clearTimeout(call.lost), (call.lost = undefined)), onReject: lose },
            })
            .catch(lose);
        }
      } else if (state === RegistererState.Unregistered && this.#registration === 'registered') {
        // A refresh that failed: sip.js gives up, we do not.
        const retryAt = this.#retryRegister(ua, reconnectDelayMs(this.#reconnectAttempt++));
        this.#setRegistration('connecting');
        this.#emit('unregistered', { reason: 'expired', retryAt });
      }
    });
    this.#register(ua);
  }

  #register(ua: UserAgent): void {
    const registerer = this.#registerer;
    if (!registerer) return;
    const bearer = this.#config.bearerToken;
    registerer
      .register({
        requestOptions: bearer ? { extraHeaders: [`Authorization: Bearer ${bearer}`] } : undefined,
        requestDelegate: {
          onReject: (response) => {
            if (registerer !== this.#registerer) return;
            const { statusCode = 0, reasonPhrase } = response.message;
            // 5xx is the server's trouble: try again (when it says, or with backoff); 4xx is ours.
            const retryAt =
              statusCode >= 500
                ? this.#retryRegister(ua, retryAfterMs(response.message.getHeader('retry-after')) ?? reconnectDelayMs(this.#reconnectAttempt++))
                : undefined;
            // The edge names a refused token's problem (token_expired, …) in the Reason header;
            // exec() of an absent header reads "undefined", which matches nothing.
            const code = /"([a-z_]+)"/.exec(response.message.getHeader('reason')!)?.[1];
            this.#fail(code ?? `${statusCode} ${reasonPhrase}`, retryAt, statusCode);
          },
        },
      })
      .catch(ignore);
  }

  /** Registers again after `delayMs`; returns when (epoch ms). */
  #retryRegister(ua: UserAgent, delayMs: number): number {
    clearTimeout(this.#registerTimer);
    this.#registerTimer = setTimeout(() => {
      if (ua === this.#ua) this.#register(ua);
    }, delayMs);
    return Date.now() + delayMs;
  }

  #onDisconnect(ua: UserAgent, error?: Error): void {
    // No error: we asked to disconnect.
    if (!error || ua !== this.#ua) return;
    // The WebSocket's own close listener (which knows the reason) runs after sip.js's; let it.
    setTimeout(() => {
      if (ua !== this.#ua) return;
      this.#dropRegisterer();
      const close = this.#lastClose;
      const refused = close && isRefusal(close);
      // The edge keeps a connected call's dialog 30 s: once registered again, a re-INVITE (ICE
      // restart) takes it back. Anything else ends now rather than show a call nobody is on.
      for (const call of this.#calls.toReversed()) {
        if (call.connected && !refused) call.lost ??= setTimeout(() => this.#lose(call), CALL_GRACE_MS);
        else this.#lose(call);
      }
      // A refused token is final, unless a newer one has arrived since the socket opened.
      if (refused && !(close.reason === 'token_expired' && (this.#config.tokenExpiresAt ?? 0) > Date.now())) {
        this.#ua = undefined;
        this.#clearTimers();
        void ua.stop().catch(ignore);
        this.#fail(close.reason || `closed_${close.code}`);
        return;
      }
      const wasRegistered = this.#registration === 'registered';
      const retryAt = this.#scheduleReconnect(ua);
      if (wasRegistered) this.#emit('unregistered', { reason: 'connection_lost', retryAt });
    }, 0);
  }

  /** A Registerer does not survive its connection: dispose of it while the socket is down, so its farewell un-REGISTER cannot reach the edge. */
  #dropRegisterer(): void {
    const stale = this.#registerer;
    this.#registerer = undefined;
    clearTimeout(this.#registerTimer);
    void stale?.dispose().catch(ignore);
  }

  /** Reconnects with backoff; `failure` is reported (with when the retry comes) when this follows a failed attempt. */
  #scheduleReconnect(ua: UserAgent, failure?: string): number {
    (ua.transport as FailoverTransport).next();
    const delay = reconnectDelayMs(this.#reconnectAttempt++);
    const retryAt = Date.now() + delay;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (ua !== this.#ua) return;
      this.#setRegistration('connecting');
      void this.#connect(ua, false);
    }, delay);
    if (failure) this.#fail(failure, retryAt);
    else this.#setRegistration('connecting');
    return retryAt;
  }



  #armTokenWarning(warnedBefore: boolean): void {
    clearTimeout(this.#tokenTimer);
    const expiresAt = this.#config.tokenExpiresAt;
    const delay = expiresAt === undefined ? undefined : nextTokenWarningInMs(expiresAt, Date.now(), warnedBefore);
    if (delay === undefined) return;
    this.#tokenTimer = setTimeout(() => {
      if (expiresAt !== this.#config.tokenExpiresAt) return;
      this.#emit('token-will-expire', { expiresAt: expiresAt! });
      this.#armTokenWarning(true);
    }, delay);
  }

  #clearTimers(): void {
    for (const timer of [this.#reconnectTimer, this.#registerTimer, this.#tokenTimer]) clearTimeout(timer);
    this.#reconnectTimer = undefined;
  }

  #fail(reason: string, retryAt?: number, statusCode?: number): void {
    this.#stuck = retryAt === undefined;
    this.#setRegistration('failed');
    this.#emit('registration-failed', { reason, statusCode, retryAt });
  }

  // --- calls ---------------------------------------------------------------------------------

  #uri(target: string) {
    const uri = UserAgent.makeURI(targetToUri(target, this.#config.domain));
    if (!uri) throw new PhoneTargetError(`not a SIP URI: ${target}`);
    return uri;
  }

  async #dial(target: string): Promise<void> {
    const ua = this.#ua;
    if (!ua || this.#registration !== 'registered') throw new PhoneStateError('cannot call: not registered');
    const uri = this.#uri(target);
    const inviter = new Inviter(ua, uri, { sessionDescriptionHandlerOptions: this.#media() });
    await this.#invite(this.#beginCall(inviter, 'outgoing', { uri: uri.toString(), displayName: '' }));
  }

  async #invite(call: Call): Promise<void> {
    try {
      await (call.session as Inviter).invite({
        requestDelegate: {
          onReject: (response) => {
            const { statusCode = 0 } = response.message;
            call.endStatus ??= statusCode;
            call.endReason ??= reasonForStatus(statusCode, response.message.getHeader('reason'));
          },
        },
      });
    } catch (error) {
      // e.g. the microphone was refused: sip.js may leave the session half-made.
      call.endReason ??= 'failed';
      this.#finishCall(call);
      throw error;
    }
  }

  #onInvite(invitation: Invitation): void {
    const identity = invitation.remoteIdentity;
    const remote = { uri: identity.uri.toString(), displayName: identity.displayName || '' };
    // An attended transfer sends the transferee to take over one of our calls (INVITE with
    // Replaces, matched by sip.js): answer at once; sip.js then says BYE to the replaced call.
    const replaced = this.#calls.find((call) => call.session === invitation.replacee);
    if (replaced) {
      replaced.endReason = 'transferred';
      this.#beginCall(invitation, 'incoming', remote);
      void invitation.accept({ sessionDescriptionHandlerOptions: this.#media() }).catch(ignore);
      return;
    }
    // A second call may wait while one is connected (call waiting); beyond that, busy.
    const calls = this.#calls.length;
    if (calls > 1 || (calls && this.#callState !== 'connected') || this.#registration !== 'registered') {
      void invitation.reject({ statusCode: 486 }).catch(ignore);
      return;
    }
    this.#beginCall(invitation, 'incoming', remote);
    this.#emit('incoming-call', { from: remote.uri, displayName: remote.displayName, waiting: !!calls });
    void invitation.progress().catch(ignore);
  }

  #delegate(call: Call): SessionDelegate {
    return {
      onRefer: (referral) => {
        // The far end transfers us: call whom it names and leave this call.
        void referral.accept().then(() => {
          call.endReason = 'transferred';
          // Leaving the call (finishing it says BYE) frees the phone for the call it was sent to.
          this.#finishCall(call);
          const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: this.#media() });
          return this.#invite(this.#beginCall(inviter, 'outgoing', { uri: inviter.remoteIdentity.uri.toString(), displayName: '' }));
        }).catch(ignore);
      },
      onBye: (bye) => {
        call.endReason ??= 'remote_hangup';
        void bye.accept().catch(ignore);
      },
      onCancel: () => {
        call.endReason ??= 'cancelled';
      },
    };
  }

  #beginCall(session: Session, direction: 'incoming' | 'outgoing', remote: RemoteParty): Call {
    const call: Call = { session, direction, remote, muted: false, held: false };
    session.delegate = this.#delegate(call);
    this.#calls.push(call);
    session.stateChange.addListener((state) => {
      if (!this.#calls.includes(call)) return;
      if (state === SessionState.Established) {
        call.connected = true;
        this.#sync();
        this.#emit('call-connected', { remote: call.remote });
      } else if (state === SessionState.Terminated) {
        // sip.js announces Terminated before it hands the final response to our onReject.
        queueMicrotask(() => this.#finishCall(call));
      }
    });
    this.#sync();
    return call;
  }

  async #refer(call: Call, target: Session | NonNullable<ReturnType<typeof UserAgent.makeURI>>): Promise<void> {
    await settle('transfer', (requestDelegate) => call.session.refer(target, { requestDelegate }));
    call.endReason = 'transferred';
    if (call.session.state === SessionState.Established) await call.session.bye();
  }

  #lose(call: Call): void {
    call.endReason ??= 'connection_lost';
    this.#finishCall(call);
  }

  #finishCall(call: Call): void {
    const calls = this.#calls;
    if (!calls.includes(call)) return;
    clearTimeout(call.lost);
    const wasConnected = call.connected;
    const reason = call.endReason ?? (wasConnected ? 'remote_hangup' : call.direction === 'incoming' ? 'cancelled' : 'failed');
    const statusCode = call.endStatus;
    calls.splice(calls.indexOf(call), 1);
    call.heldTrack?.stop();
    if (call.session.state !== SessionState.Terminated) void call.session.dispose().catch(ignore);
    this.#sync();
    this.#emit('call-ended', statusCode === undefined ? { reason } : { reason, statusCode });
  }

  #requireConnected(): Call {
    const call = this.#current();
    if (!call || call.session.state !== SessionState.Established) throw new PhoneStateError('no connected call');
    return call;
  }

  #setMuted(muted: boolean): void {
    const call = this.#requireConnected();
    call.muted = muted;
    const sdh = call.session.sessionDescriptionHandler as SessionDescriptionHandler;
    for (const sender of sdh.peerConnection?.getSenders() ?? []) if (sender.track) sender.track.enabled = !muted;
    if (call.heldTrack) call.heldTrack.enabled = !muted;
    this.#sync(true);
  }

  async #setHold(call: Call, hold: boolean): Promise<void> {
    if (call.held === hold) return;
    const { session } = call;
    session.sessionDescriptionHandlerOptionsReInvite = { hold } as typeof session.sessionDescriptionHandlerOptionsReInvite;
    try {
      await settle('hold', (requestDelegate) => session.invite({ requestDelegate }));
    } catch (error) {
      session.sessionDescriptionHandlerOptionsReInvite = { hold: call.held } as typeof session.sessionDescriptionHandlerOptionsReInvite;
      throw error;
    }
    const sender = (session.sessionDescriptionHandler as SessionDescriptionHandler).peerConnection?.getSenders()[0];
    if (hold) {
      call.heldTrack = sender?.track;
      await sender?.replaceTrack(null);
    } else {
      await sender?.replaceTrack(call.heldTrack ?? null);
      call.heldTrack = undefined;
    }
    call.held = hold;
    this.#sync(true);
  }

  /** Puts the call beside `call` on hold, if one is up and not held yet: one call talks at a time. */
  async #holdOther(call: Call): Promise<void> {
    const other = this.#calls.find((c) => c !== call && c.connected);
    if (other) await this.#setHold(other, true);
  }

  /** Audio only, from the chosen microphone. */
  #media() {
    const deviceId = this.#inputDeviceId;
    return { constraints: { audio: deviceId ? { deviceId: { exact: deviceId } } : true, video: false } };
  }

  #current(): Call | undefined {
    return this.#calls.at(-1);
  }

  #mediaHandler(): SessionDescriptionHandler | undefined {
    return this.#current()?.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
  }

  // --- state ---------------------------------------------------------------------------------

  #setRegistration(registration: RegistrationState): void {
    if (registration === this.#registration) return;
    this.#registration = registration;
    this.#emit('state-change', this.state);
  }

  /** Derives the call state from the foreground call; `force` announces a change of muted/held. */
  #sync(force = false): void {
    const call = this.#current();
    const state = call?.session.state;
    const callState: CallState = !call
      ? 'idle'
      : state === SessionState.Established || state === SessionState.Terminating
        ? 'connected'
        : call.direction;
    if (callState === this.#callState && call === this.#shown && !force) return;
    this.#callState = callState;
    this.#shown = call;
    this.#emit('state-change', this.state);
  }

  #emit<K extends keyof PhoneEventMap>(type: K, detail: PhoneEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
