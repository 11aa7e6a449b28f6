import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import { PhoneController } from '../phone/phone-controller';
import { PhoneStateError } from '../phone/errors';
import type { PhoneOptions } from '../phone/config';
import type { CallEndedDetail, CallState, IncomingCallDetail, PhoneEventMap, RegistrationState, RemoteParty } from '../phone/events';
import { en, loadLocale, messagesFor, registrationProblem, sibling, type Messages } from './messages';
import { getRingToneUrl } from './ring-tone';
import { sampleCallQuality, type QualityEventMap, type QualityWarning } from '../phone/quality';
import { softphoneStyles } from './softphone.styles';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
/** Controller events the element passes on as `highrise-<name>`, detail unchanged. */
const FORWARDED = [
  'registered',
  'unregistered',
  'registration-failed',
  'incoming-call',
  'call-connected',
  'call-ended',
  'token-will-expire',
  'message',
] as const;
const ignore = () => {};

const iceServersAttribute = {
  fromAttribute(value: string | null): RTCIceServer[] {
    try {
      const parsed: unknown = JSON.parse(value || '[]');
      if (Array.isArray(parsed)) return parsed as RTCIceServer[];
    } catch {
      // reported below
    }
    console.warn('highrise-softphone: bad ice-servers');
    return [];
  },
};

type Forwarded = { [K in (typeof FORWARDED)[number] as `highrise-${K}`]: PhoneEventMap[K] } & {
  [K in keyof QualityEventMap as `highrise-${K}`]: QualityEventMap[K];
};

/** Events `<highrise-softphone>` dispatches, all bubbling and composed. */
export interface HighriseSoftphoneEventMap extends Forwarded {
  'highrise-incoming-call': CustomEvent<IncomingCallDetail>;
  'highrise-call-connected': CustomEvent<{ remote: RemoteParty | undefined }>;
  'highrise-call-ended': CustomEvent<CallEndedDetail>;
  'highrise-request-call': CustomEvent<{ target: string }>;
  'highrise-devices-changed': CustomEvent<{ devices: MediaDeviceInfo[] }>;
  'highrise-ring-blocked': CustomEvent<{ callState: CallState }>;
}

/**
 * A white-label WebRTC softphone: registers one extension with the Highrise SIP edge and makes
 * and takes audio calls. Give it a `token` (from `POST /v1/tenants/{id}/softphone-tokens`), or
 * `server`, `domain`, `extension` and `password` for digest registration.
 *
 * @tag highrise-softphone
 *
 * @attr token - Softphone token; carries the AOR and (unless `server` is set) the WebSocket URL. A new token for the same extension re-authenticates without touching calls (`updateToken`).
 * @attr server - SIP WebSocket URL, `wss://…/sip`.
 * @attr domain - The tenant's SIP domain (digest registration).
 * @attr extension - Extension number (digest registration).
 * @attr password - SIP password (digest registration).
 * @attr display-name - Name shown to the people this phone calls.
 * @attr ice-servers - JSON array of RTCIceServer. Default `[]`: no STUN/TURN unless configured.
 * @attr label - Brand text in the header. Default: "Phone" in the element's language.
 * @attr branding - `auto`: fetch the public branding of the token's SIP domain from the platform and apply it (colours, font, header text, logo); loads `dist/branding.js` beside the bundle.
 * @attr input-device-id - Microphone (`deviceId` of an `audioinput` from `enumerateDevices()`). Changing it mid-call switches the call's microphone without a re-INVITE. Default: the browser's.
 * @attr output-device-id - Speaker for the call (`deviceId` of an `audiooutput`; `setSinkId`), switched at once mid-call. Default: the browser's.
 * @attr ringtone-device-id - Speaker for the ring tone of an incoming call. Default: the output device.
 * @attr lang - Language of the widget (`en`, `es`, …); other shipped locales load lazily. Default: the page's.
 * @attr registration - Reflected, read-only: `unregistered | connecting | registered | failed`.
 * @attr call-state - Reflected, read-only: `idle | outgoing | incoming | connected`.
 * @attr muted - Reflected, read-only: the microphone is muted.
 * @attr held - Reflected, read-only: the call is on hold.
 *
 * @event highrise-registered - Registered; `detail: { aor }`.
 * @event highrise-unregistered - No longer registered; `detail: { reason, retryAt? }` (`retryAt`: epoch ms of the automatic retry, absent when none follows).
 * @event highrise-registration-failed - Refused or unreachable; `detail: { reason, statusCode?, retryAt? }` (e.g. `token_expired`, `403 Forbidden`).
 * @event highrise-incoming-call - A call rings in; `detail: { from, displayName, waiting }`. `waiting`: another call is connected (call waiting); answering this one puts that one on hold. A third call is refused busy (486).
 * @event highrise-call-connected - A call was answered; `detail: { remote }`.
 * @event highrise-call-ended - The call ended; `detail: { reason, statusCode? }` (`reason` is a CallEndReason code).
 * @event highrise-request-call - Cancelable, before dialling; `detail: { target }`. Call `preventDefault()` to veto the call.
 * @event highrise-branding-applied - With `branding="auto"`: the platform's branding was applied; `detail` is the public branding.
 * @event highrise-message - A text message (SIP MESSAGE) arrived; `detail: { from, displayName, text }`. It is shown in the chat panel too.
 * @event highrise-ring-blocked - The browser refused to play the ring tone (incoming) or the ringback (outgoing), e.g. autoplay before any user gesture; `detail: { callState }`. The element rings visibly instead (`ring-blocked` attribute).
 * @event highrise-devices-changed - Audio devices were plugged in or out; `detail: { devices }` (`MediaDeviceInfo[]`, from `enumerateDevices()`).
 * @event highrise-call-quality - Every second of a connected call; `detail: { rtt, jitter, packetLoss, mos }` (milliseconds, percent lost since the last sample, MOS estimate 1…4.5).
 * @event highrise-quality-warning - The call's quality is poor: `detail: { code, sample }`, `code` one of `high-rtt` (over 400 ms), `high-jitter` (over 30 ms), `high-packet-loss` (over 1 %), `low-mos` (under 3.5); raised after 3 bad samples in a row. Shown as a sentence (`quality` part).
 * @event highrise-quality-warning-cleared - That warning is over (5 s good, or the call ended); `detail: { code }`.
 * @event highrise-token-will-expire - The token expires soon; `detail: { expiresAt }`. Fired from 60 s before, every 15 s, until `updateToken()`.
 *
 * @slot logo - An image or mark before the brand text in the header.
 *
 * @csspart base - The card around everything.
 * @csspart status - Registration status (an aria-live region).
 * @csspart problem - Why a call or the registration failed, as a sentence (role alert).
 * @csspart number - The number input.
 * @csspart dialpad - The keypad grid: types the number, or sends DTMF during a call.
 * @csspart key - Each keypad button; its `data-key` is the digit (`1`…`9`, `0`, `*`, `#`).
 * @csspart call-button - Starts a call to the number.
 * @csspart call-controls - The buttons shown during a call.
 * @csspart answer-button - Answers a ringing call.
 * @csspart reject-button - Declines a ringing call.
 * @csspart hangup-button - Ends or cancels the call.
 * @csspart mute-button - Mutes and unmutes (`aria-pressed`).
 * @csspart hold-button - Holds and resumes (`aria-pressed`).
 * @csspart transfer-target - The number to transfer the call to.
 * @csspart transfer-button - Transfers the call to `transfer-target` (blind); with a second call up (consulted, or a waiting call answered), joins the two calls instead (attended).
 * @csspart quality - During a call: the quality warnings as sentences, empty while the call sounds fine (a polite live region).
 * @csspart chat - The chat panel (a `<details>`): messages to and from the number typed in, or the party of the call.
 * @csspart messages - The conversation, newest last (a polite live region).
 * @csspart message-input - The text to send.
 * @csspart send-button - Sends the text (`sendMessage`).
 * @csspart audio - The `<audio>` element that plays the ring tone and the call.
 *
 * @cssproperty --highrise-accent-color - Call and answer buttons, focus ring. Default `#2563eb`.
 * @cssproperty --highrise-accent-text-color - Text on accent and danger buttons. Default `#fff`.
 * @cssproperty --highrise-danger-color - Reject and hang-up buttons, failure dot. Default `#c53030`.
 * @cssproperty --highrise-success-color - The registered dot. Default `#2f9e44`.
 * @cssproperty --highrise-background - Card background. Default `#fff`.
 * @cssproperty --highrise-text-color - Text. Default `#1f2933`.
 * @cssproperty --highrise-muted-color - Secondary text. Default `#52606d`.
 * @cssproperty --highrise-border-color - Borders. Default `#d9dee3`.
 * @cssproperty --highrise-key-background - Keypad buttons. Default transparent.
 * @cssproperty --highrise-radius - Corner radius. Default `12px`.
 * @cssproperty --highrise-font-family - Font. Default `system-ui, sans-serif`.
 * @cssproperty --highrise-font-size - Base font size. Default `14px`.
 */
export class HighriseSoftphone extends LitElement {
  static override styles = softphoneStyles;

  static override properties: PropertyDeclarations = {
    token: {},
    server: {},
    domain: {},
    extension: {},
    password: {},
    displayName: { attribute: 'display-name' },
    iceServers: { attribute: 'ice-servers', converter: iceServersAttribute },
    label: {},
    branding: {},
    lang: {},
    inputDeviceId: { attribute: 'input-device-id' },
    outputDeviceId: { attribute: 'output-device-id' },
    ringtoneDeviceId: { attribute: 'ringtone-device-id' },
    registration: { reflect: true },
    callState: { attribute: 'call-state', reflect: true },
    muted: { type: Boolean, reflect: true },
    held: { type: Boolean, reflect: true },
  };

  declare token: string | undefined;
  declare server: string | undefined;
  declare domain: string | undefined;
  declare extension: string | undefined;
  declare password: string | undefined;
  declare displayName: string | undefined;
  declare iceServers: RTCIceServer[];
  declare label: string | undefined;
  declare branding: string | undefined;
  declare inputDeviceId: string | undefined;
  declare outputDeviceId: string | undefined;
  declare ringtoneDeviceId: string | undefined;
  declare registration: RegistrationState;
  declare callState: CallState;
  declare muted: boolean;
  declare held: boolean;
  /** A second call is up beside the shown one (call waiting, or the consulted call of a transfer). */
  #waiting = false;

  #phone: PhoneController | undefined;
  #phoneConfigKey: string | undefined;
  /** The token the phone has: a different `token` for the same extension is passed on with updateToken(). */
  #token: string | undefined;
  #phoneListeners: AbortController | undefined;
  #pageListeners: AbortController | undefined;
  #number = '';
  #remote: RemoteParty | undefined;
  /** Why the last call or action failed: a catalogue key (`busy`, …) or an error's own message. */
  #problem = '';
  /** Why the phone is not registered, as a catalogue key; cleared once it is. */
  #registrationProblem = '';
  #audioMode = '';
  #focusedFor: CallState = 'idle';
  /** The call's quality warnings now raised, in the order they came. */
  #quality = new Set<QualityWarning>();
  /** The chat panel's conversation: [sent by us, the other party, text]. */
  #chat: [boolean, string, string][] = [];

  constructor() {
    super();
    this.iceServers = [];
    this.registration = 'unregistered';
    this.callState = 'idle';
    this.muted = false;
    this.held = false;
  }

  /** The headless phone behind the element, once it has enough configuration to start. */
  get phone(): PhoneController | undefined {
    return this.#phone;
  }

  /** The sentences in the element's language (English until a lazily loaded locale arrives). */
  get messages(): Messages {
    return messagesFor(this.#lang()) ?? en;
  }

  /**
   * Calls `target` (default: the number typed in). Dispatches the cancelable
   * `highrise-request-call` first; resolves false when the page vetoed the call.
   */
  async call(target: string = this.#number): Promise<boolean> {
    const phone = this.#requirePhone();
    const allowed = this.#dispatch('highrise-request-call', { target }, true);
    if (!allowed) return false;
    await phone.call(target);
    return true;
  }

  answer(): Promise<void> {
    return this.#requirePhone().answer();
  }

  reject(): Promise<void> {
    return this.#requirePhone().reject();
  }

  async hangup(): Promise<void> {
    await this.#phone?.hangup();
  }

  mute(): void {
    this.#requirePhone().mute();
  }

  unmute(): void {
    this.#requirePhone().unmute();
  }

  hold(): Promise<void> {
    return this.#requirePhone().hold();
  }

  unhold(): Promise<void> {
    return this.#requirePhone().unhold();
  }

  /** Blind transfer of the call to `target` (REFER). */
  transfer(target: string): Promise<void> {
    return this.#requirePhone().transfer(target);
  }

  /** Attended transfer: holds the call and calls `target`; then `completeTransfer()`. */
  consult(target: string): Promise<void> {
    return this.#requirePhone().consult(target);
  }

  /** Joins the held call with the consulted one (REFER with Replaces) and leaves both. */
  completeTransfer(): Promise<void> {
    return this.#requirePhone().completeTransfer();
  }

  /** Sends a text message (SIP MESSAGE) to `target`; it is shown in the chat panel once accepted. */
  async sendMessage(target: string, text: string): Promise<void> {
    await this.#requirePhone().sendMessage(target, text);
    this.#chat.push([true, target, text]);
    this.requestUpdate();
  }

  /** Replaces the token (same extension) without restarting the phone; setting the `token` attribute does the same. */
  updateToken(token: string): void {
    this.#requirePhone().updateToken(token);
    this.#token = this.token = token;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const pageListeners = new AbortController();
    this.#pageListeners = pageListeners;
    const { signal } = pageListeners;
    // A laptop waking up, a tab coming back, a page restored from the back/forward cache: the
    // socket may be long dead, so check now rather than after the next backoff step.
    const refresh = () => document.visibilityState === 'visible' && this.#phone?.refresh();
    addEventListener('online', refresh, { signal });
    addEventListener('pageshow', refresh, { signal });
    document.addEventListener('visibilitychange', refresh, { signal });
    this.addEventListener('keydown', this.#onKeydown, { signal });
    const devices = navigator.mediaDevices;
    devices?.addEventListener(
      'devicechange',
      () => void devices.enumerateDevices().then((list) => this.#dispatch('highrise-devices-changed', { devices: list })),
      { signal },
    );
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#pageListeners?.abort();
    // Moving the element (remove, then insert in the same task) keeps the phone and its call.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#phoneConfigKey = undefined;
      this.#stopPhone();
    });
  }

  protected override willUpdate(): void {
    const lang = this.#lang();
    if (!messagesFor(lang)) void loadLocale(lang).then(() => this.requestUpdate());
    // A module of its own beside the bundle (dist/branding.js): pages without branding="auto" never load it.
    if (this.branding) void sibling('./branding.js').then((m) => (m as typeof import('./branding')).default(this));
  }

  protected override updated(): void {
    if (this.isConnected) this.#syncPhone();
    const phone = this.#phone;
    if (phone && phone.inputDeviceId !== (this.inputDeviceId || undefined)) this.#run(() => phone.setInputDevice(this.inputDeviceId));
    this.#syncAudio();
    // Focus follows the call (Answer when it rings, Hang up once connected, the number after),
    // unless the user is busy elsewhere on the page. Not while dialling: the Enter that placed the
    // call would press Hang up.
    const state = this.callState;
    const active = document.activeElement;
    if (state !== this.#focusedFor && (!active || active === document.body || active === this)) {
      (this.renderRoot.querySelector(`[part=${state === 'incoming' ? 'answer-button' : state === 'connected' ? 'hangup-button' : state === 'idle' ? 'number' : 'x'}]`) as HTMLElement | null)?.focus();
    }
    this.#focusedFor = state;
  }

  protected override render() {
    const t = this.messages;
    const problem = this.#problem || this.#registrationProblem;
    return html`<div part="base">
      <header>
        <span class="brand"><slot name="logo"></slot>${this.label ?? t.phone}</span>
        <span part="status" role="status" aria-live="polite">${this.#statusText(t)}</span>
      </header>
      ${problem ? html`<div part="problem" class="error" role="alert">${t[problem as keyof Messages] ?? problem}</div>` : nothing}
      ${this.callState === 'idle' ? this.#renderDialer(t) : this.#renderCall(t)}
      ${this.#renderChat(t)}
      <audio part="audio" autoplay></audio>
    </div>`;
  }

  #renderDialer(t: Messages) {
    const canCall = this.registration === 'registered' && this.#number.trim() !== '';
    return html`<input
        part="number"
        type="tel"
        inputmode="tel"
        autocomplete="off"
        placeholder=${t.number}
        aria-label=${t.number}
        .value=${this.#number}
        @input=${(e: Event) => this.#setNumber((e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.#onCallClick()}
      />
      ${this.#renderDialpad(t)}
      <button part="call-button" type="button" ?disabled=${!canCall} @click=${this.#onCallClick}>${t.call}</button>`;
  }

  #renderDialpad(t: Messages) {
    return html`<div part="dialpad" role="group" aria-label=${t.dialpad}>
      ${KEYS.map((key) => html`<button part="key" type="button" data-key=${key} @click=${() => this.#press(key)}>${key}</button>`)}
    </div>`;
  }

  #renderCall(t: Messages) {
    const remote = this.#remote;
    const connected = this.callState === 'connected';
    // A live region: a screen reader hears "Incoming call, Acme 102" as it appears.
    return html`<div class="call" role="status">
        <span>${this.#heading(t)}</span>
        <span class="peer">${remote ? remote.displayName || userPart(remote.uri) : ''}</span>
        <span class="uri">${remote?.uri ?? ''}</span>
      </div>
      ${connected ? this.#renderDialpad(t) : nothing}
      ${connected
        ? html`<div class="row">
<button part="mute-button" type="button" aria-pressed=${this.muted} @click=${() => this.#run(async () => (this.muted ? this.unmute() : this.mute()))}>${t.mute}</button
            ><button part="hold-button" type="button" aria-pressed=${this.held} @click=${() => this.#run(() => (this.held ? this.unhold() : this.hold()))}>${t.hold}</button>
          </div>
          <div class="row">
            ${this.#waiting ? nothing : html`<input part="transfer-target" type="tel" aria-label=${t.transferTo} placeholder=${t.transferTo} />`}<button
              part="transfer-button"
              type="button"
              @click=${this.#onTransferClick}
            >
              ${t.transfer}
            </button>
          </div>
          <div part="quality" role="status">${[...this.#quality].map((code) => t[code]).join(' ')}</div>`
        : nothing}
      <div part="call-controls" role="group" aria-label=${t.callControls}>
        ${this.callState === 'incoming'
          ? html`<button part="answer-button" type="button" @click=${() => this.#run(() => this.answer())}>${t.answer}</button>
              <button part="reject-button" type="button" @click=${() => this.#run(() => this.reject())}>${t.reject}</button>`
          : html`<button part="hangup-button" type="button" @click=${() => this.#run(() => this.hangup())}>${t.hangup}</button>`}
      </div>`;
  }

  #renderChat(t: Messages) {
    const send = () => {
      const input = this.renderRoot.querySelector('[part=message-input]') as HTMLInputElement;
      const text = input.value.trim();
      const remote = this.#remote;
      if (text) this.#run(() => this.sendMessage(remote ? remote.uri : this.#number.trim(), text).then(() => (input.value = '')));
    };
    return html`<details part="chat">
      <summary>${t.chat}</summary>
      <ol part="messages" aria-live="polite">
        ${this.#chat.map(([mine, who, text]) => html`<li class=${mine ? 'mine' : ''}>${mine ? '' : html`<b>${userPart(who)}</b> `}${text}</li>`)}
      </ol>
      <div class="row">
        <input part="message-input" aria-label=${t.message} placeholder=${t.message} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && send()} /><button
          part="send-button"
          type="button"
          @click=${send}
        >
          ${t.send}
        </button>
      </div>
    </details>`;
  }

  #heading(t: Messages): string {
    if (this.callState === 'incoming') return this.#waiting ? t.waiting : t.incoming;
    if (this.callState === 'outgoing') return t.calling;
    return this.held ? t.onHold : t.inCall;
  }

  #statusText(t: Messages): string {
    const registration = this.registration;
    if (registration === 'registered') return `${t.ready} · ${this.#phone?.config.user}`;
    return registration === 'connecting' ? t.connecting : this.#phone ? t.offline : t.notConfigured;
  }

  #lang(): string {
    return this.lang || document.documentElement.lang || 'en';
  }

  #setNumber(value: string): void {
    this.#number = value;
    this.#problem = '';
    this.requestUpdate();
  }

  /** The keypad: DTMF to the far end in a call (an IVR menu), otherwise it types the number. */
  #press(key: string): void {
    if (this.callState === 'connected') this.#phone?.sendDtmf(key);
    else this.#setNumber(this.#number + key);
  }

  /** Digits typed on the keyboard anywhere in the widget but a text field work like the keypad. */
  #onKeydown = (event: KeyboardEvent) => {
    const inField = event.composedPath()[0] instanceof HTMLInputElement;
    if (!inField && KEYS.includes(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) this.#press(event.key);
  };

  /** With two calls up, joins them (attended transfer); otherwise sends the call to the number typed (blind). */
  #onTransferClick = () => {
    const target = (this.renderRoot.querySelector('[part=transfer-target]') as HTMLInputElement | null)?.value.trim();
    if (this.#waiting) this.#run(() => this.completeTransfer());
    else if (target) this.#run(() => this.transfer(target));
  };

  #onCallClick = () => {
    const target = this.#number.trim();
    if (target) this.#run(() => this.call(target));
  };

  /** Runs a user action from a button; a failure is shown, not thrown into the page. */
  #run(action: () => Promise<unknown>): void {
    this.#problem = '';
    this.requestUpdate();
    action().catch((error: unknown) => {
      this.#problem = error instanceof Error ? error.message : String(error);
      this.requestUpdate();
    });
  }

  #requirePhone(): PhoneController {
    if (!this.#phone) throw new PhoneStateError('no token or credentials');
    return this.#phone;
  }

  /** The attributes that describe the phone; an empty one counts as absent. */
  #options(): PhoneOptions {
    const options: PhoneOptions = { iceServers: this.iceServers };
    for (const name of ['token', 'server', 'domain', 'extension', 'password', 'displayName'] as const) if (this[name]) options[name] = this[name];
    return options;
  }

  /**
   * Starts, restarts or stops the phone when its configuration changed. A new token alone is
   * passed on with updateToken(), which keeps the calls; one for another extension restarts.
   */
  #syncPhone(): void {
    const options = this.#options();
    const key = JSON.stringify({ ...options, token: !options.token });
    const phone = this.#phone;
    if (key === this.#phoneConfigKey) {
      if (!phone || options.token === this.#token) return;
      try {
        this.#token = options.token;
        return phone.updateToken(options.token!);
      } catch {
        // another extension's token: a new phone
      }
    }
    this.#phoneConfigKey = key;
    this.#stopPhone();
    this.#problem = this.#registrationProblem = '';
    let next: PhoneController;
    try {
      next = new PhoneController(options);
    } catch (error) {
      // Say what is wrong once something was configured; an empty element is just not set up yet.
      if (options.token || options.server) this.#problem = error instanceof Error ? error.message : String(error);
      this.requestUpdate();
      return;
    }
    this.#phone = next;
    this.#token = options.token;
    this.#listenTo(next);
    void next.start();
  }

  #stopPhone(): void {
    const phone = this.#phone;
    if (!phone) return;
    this.#phone = undefined;
    // stop() ends the calls before it first waits: their call-ended still reaches the page.
    void phone.stop();
    this.#phoneListeners?.abort();
    this.#remote = undefined;
    this.registration = 'unregistered';
    this.callState = 'idle';
    this.muted = this.held = this.#waiting = false;
    this.#quality.clear();
  }

  #listenTo(phone: PhoneController): void {
    const listeners = new AbortController();
    this.#phoneListeners = listeners;
    const { signal } = listeners;
    const on = <K extends keyof PhoneEventMap>(type: K, listener: (detail: PhoneEventMap[K]['detail']) => void) =>
      phone.addEventListener(type, (event) => listener(event.detail), { signal });
    on('state-change', (detail) => {
      this.registration = detail.registration;
      this.callState = detail.callState;
      this.muted = detail.muted;
      this.held = detail.held;
      this.#waiting = detail.waiting;
      this.#remote = detail.remote;
      if (detail.registration === 'registered') this.#registrationProblem = '';
      if (detail.callState === 'incoming') this.#problem = ''; // the last call's trouble is old news
      this.requestUpdate();
    });
    on('registration-failed', (detail) => (this.#registrationProblem = registrationProblem(detail)));
    on('message', ({ from, text }) => this.#chat.push([false, from, text]));
    on('call-ended', ({ reason }) => {
      // Endings with a sentence are failures (`busy`, …); a plain hang-up has none.
      if (reason in en) this.#problem = reason;
    });
    // Call quality: a sample a second, and warnings shown in the call view until cleared.
    const stopQuality = sampleCallQuality(phone, (type, detail) => {
      if (type !== 'call-quality') {
        const { code } = detail as { code: QualityWarning };
        if (type === 'quality-warning') this.#quality.add(code);
        else this.#quality.delete(code);
        this.requestUpdate();
      }
      this.#dispatch(`highrise-${type}`, detail as never);
    });
    signal.addEventListener('abort', stopQuality);
    for (const type of FORWARDED) {
      on(type, (detail) => {
        this.requestUpdate();
        this.#dispatch(`highrise-${type}`, detail as never);
      });
    }
  }

  /**
   * The ring tone while a call rings in or out (ringback), the far end's audio while connected
   * (the held call's while a second one waits: it does not ring over the call), silence
   * otherwise. A tone the browser refuses to play (autoplay before any user gesture) rings
   * visibly instead (`ring-blocked`) and says so with `highrise-ring-blocked`.
   */
  #syncAudio(): void {
    const audio = this.renderRoot.querySelector('audio');
    const state = this.callState;
    const stream = state === 'idle' ? undefined : this.#phone?.remoteStream;
    const tone = state !== 'idle' && !stream;
    const mode = tone ? state : (stream?.id ?? '');
    if (!audio) return;
    const sink = (state === 'incoming' && tone && this.ringtoneDeviceId) || this.outputDeviceId || '';
    if (audio.sinkId !== sink) audio.setSinkId(sink).catch(ignore);
    if (mode === this.#audioMode) return;
    this.#audioMode = mode;
    this.removeAttribute('ring-blocked');
    audio.pause();
    audio.srcObject = stream ?? null;
    audio.removeAttribute('src');
    audio.loop = tone;
    if (tone) audio.src = getRingToneUrl();
    if (!mode) return audio.load();
    audio.play().catch(() => {
      if (!tone || mode !== this.#audioMode) return;
      this.setAttribute('ring-blocked', '');
      this.#dispatch('highrise-ring-blocked', { callState: state });
    });
  }

  #dispatch<K extends keyof HighriseSoftphoneEventMap>(type: K, detail: HighriseSoftphoneEventMap[K]['detail'], cancelable = false): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
  }
}

function userPart(uri: string): string {
  return /^sips?:([^@]+)@/i.exec(uri)?.[1] ?? uri;
}
