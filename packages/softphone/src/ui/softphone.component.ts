import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import { PhoneController } from '../phone/phone-controller';
import { PhoneStateError } from '../phone/errors';
import type { PhoneOptions } from '../phone/config';
import type { CallEndedDetail, CallState, IncomingCallDetail, RegistrationState, RemoteParty } from '../phone/events';
import { getRingToneUrl } from './ring-tone';
import { softphoneStyles } from './softphone.styles';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const ignore = () => {};

const iceServersAttribute = {
  fromAttribute(value: string | null): RTCIceServer[] {
    if (!value) return [];
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed as RTCIceServer[];
    } catch {
      // reported below
    }
    console.warn('<highrise-softphone>: ice-servers must be a JSON array of RTCIceServer; using none');
    return [];
  },
};

/** Events `<highrise-softphone>` dispatches, all bubbling and composed. */
export interface HighriseSoftphoneEventMap {
  'highrise-registered': CustomEvent<{ aor: string }>;
  'highrise-unregistered': CustomEvent<{ reason: string }>;
  'highrise-registration-failed': CustomEvent<{ reason: string }>;
  'highrise-incoming-call': CustomEvent<IncomingCallDetail>;
  'highrise-call-connected': CustomEvent<{ remote: RemoteParty | undefined }>;
  'highrise-call-ended': CustomEvent<CallEndedDetail>;
  'highrise-request-call': CustomEvent<{ target: string }>;
}

/**
 * A white-label WebRTC softphone: registers one extension with the Highrise SIP edge and makes
 * and takes audio calls. Give it a `token` (from `POST /v1/tenants/{id}/softphone-tokens`), or
 * `server`, `domain`, `extension` and `password` for digest registration.
 *
 * @tag highrise-softphone
 *
 * @attr token - Softphone token; carries the AOR and (unless `server` is set) the WebSocket URL.
 * @attr server - SIP WebSocket URL, `wss://…/sip`.
 * @attr domain - The tenant's SIP domain (digest registration).
 * @attr extension - Extension number (digest registration).
 * @attr password - SIP password (digest registration).
 * @attr display-name - Name shown to the people this phone calls.
 * @attr ice-servers - JSON array of RTCIceServer. Default `[]`: no STUN/TURN unless configured.
 * @attr label - Brand text in the header.
 * @attr registration - Reflected, read-only: `unregistered | connecting | registered | failed`.
 * @attr call-state - Reflected, read-only: `idle | outgoing | incoming | connected`.
 *
 * @event highrise-registered - Registered; `detail: { aor }`.
 * @event highrise-unregistered - No longer registered; `detail: { reason }`.
 * @event highrise-registration-failed - Refused or unreachable; `detail: { reason }` (e.g. `token_expired`).
 * @event highrise-incoming-call - A call rings in; `detail: { from, displayName }`.
 * @event highrise-call-connected - A call was answered; `detail: { remote }`.
 * @event highrise-call-ended - The call ended; `detail: { reason, statusCode? }`.
 * @event highrise-request-call - Cancelable, before dialling; `detail: { target }`. Call `preventDefault()` to veto the call.
 *
 * @csspart base - The card around everything.
 * @csspart status - Registration status (an aria-live region).
 * @csspart number - The number input.
 * @csspart dialpad - The keypad grid: types the number, or sends DTMF during a call.
 * @csspart key - Each keypad button; its `data-key` is the digit (`1`…`9`, `0`, `*`, `#`).
 * @csspart call-button - Starts a call to the number.
 * @csspart call-controls - The buttons shown during a call.
 * @csspart answer-button - Answers a ringing call.
 * @csspart reject-button - Declines a ringing call.
 * @csspart hangup-button - Ends or cancels the call.
 * @csspart audio - The `<audio>` element that plays the ring tone and the call.
 *
 * @cssproperty --highrise-accent-color - Call and answer buttons, focus ring. Default `#2563eb`.
 * @cssproperty --highrise-accent-text-color - Text on accent and danger buttons. Default `#fff`.
 * @cssproperty --highrise-danger-color - Reject and hang-up buttons, failure dot. Default `#d64545`.
 * @cssproperty --highrise-success-color - The registered dot. Default `#2f9e44`.
 * @cssproperty --highrise-background - Card background. Default `#fff`.
 * @cssproperty --highrise-text-color - Text. Default `#1f2933`.
 * @cssproperty --highrise-muted-color - Secondary text. Default `#616e7c`.
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
    registration: { reflect: true },
    callState: { attribute: 'call-state', reflect: true },
  };

  declare token: string | undefined;
  declare server: string | undefined;
  declare domain: string | undefined;
  declare extension: string | undefined;
  declare password: string | undefined;
  declare displayName: string | undefined;
  declare iceServers: RTCIceServer[];
  declare label: string;
  declare registration: RegistrationState;
  declare callState: CallState;

  #phone: PhoneController | undefined;
  #phoneConfigKey: string | undefined;
  #phoneListeners: AbortController | undefined;
  #number = '';
  #remote: RemoteParty | undefined;
  #problem = '';
  #audioMode: 'none' | 'ring' | 'call' = 'none';

  constructor() {
    super();
    this.iceServers = [];
    this.label = 'Phone';
    this.registration = 'unregistered';
    this.callState = 'idle';
  }

  /** The headless phone behind the element, once it has enough configuration to start. */
  get phone(): PhoneController | undefined {
    return this.#phone;
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

  override connectedCallback(): void {
    super.connectedCallback();
    this.#phoneConfigKey = undefined; // start again in updated()
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#phoneConfigKey = undefined;
    this.#stopPhone();
  }

  protected override updated(): void {
    if (this.isConnected) this.#syncPhone();
    this.#syncAudio();
  }

  protected override render() {
    return html`<div part="base">
      <header>
        <span class="brand">${this.label}</span>
        <span part="status" role="status" aria-live="polite">${this.#statusText()}</span>
      </header>
      ${this.#problem ? html`<div class="error" role="alert">${this.#problem}</div>` : nothing}
      ${this.callState === 'idle' ? this.#renderDialer() : this.#renderCall()}
      <audio part="audio" autoplay></audio>
    </div>`;
  }

  #renderDialer() {
    const canCall = this.registration === 'registered' && this.#number.trim() !== '';
    return html`<input
        part="number"
        type="tel"
        inputmode="tel"
        autocomplete="off"
        placeholder="Number"
        aria-label="Number to call"
        .value=${this.#number}
        @input=${this.#onNumberInput}
        @keydown=${this.#onNumberKeydown}
      />
      ${this.#renderDialpad()}
      <button part="call-button" type="button" aria-label="Call" ?disabled=${!canCall} @click=${this.#onCallClick}>Call</button>`;
  }

  #renderDialpad() {
    return html`<div part="dialpad" role="group" aria-label="Dialpad">
      ${KEYS.map((key) => html`<button part="key" type="button" data-key=${key} @click=${this.#onKey}>${key}</button>`)}
    </div>`;
  }

  #renderCall() {
    const remote = this.#remote;
    const heading = this.callState === 'incoming' ? 'Incoming call' : this.callState === 'outgoing' ? 'Calling…' : 'In call';
    const name = remote ? remote.displayName || userPart(remote.uri) : '';
    return html`<div class="call">
        <span>${heading}</span>
        <span class="peer">${name}</span>
        <span class="uri">${remote?.uri ?? ''}</span>
      </div>
      ${this.callState === 'connected' ? this.#renderDialpad() : nothing}
      <div part="call-controls" role="group" aria-label="Call controls">
        ${this.callState === 'incoming'
          ? html`<button part="answer-button" type="button" aria-label="Answer call" @click=${() => this.#run(this.answer())}>Answer</button>
              <button part="reject-button" type="button" aria-label="Reject call" @click=${() => this.#run(this.reject())}>Reject</button>`
          : html`<button part="hangup-button" type="button" aria-label="Hang up" @click=${() => this.#run(this.hangup())}>
              Hang up
            </button>`}
      </div>`;
  }

  #statusText(): string {
    switch (this.registration) {
      case 'registered':
        return `Ready${this.#phone ? ` · ${this.#phone.config.user}` : ''}`;
      case 'connecting':
        return 'Connecting…';
      case 'failed':
        return 'Registration failed';
      default:
        return this.#phone ? 'Offline' : 'Not configured';
    }
  }

  #onNumberInput = (event: Event) => {
    this.#number = (event.target as HTMLInputElement).value;
    this.requestUpdate();
  };

  #onNumberKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Enter') this.#onCallClick();
  };

  #onKey = (event: Event) => {
    const key = (event.currentTarget as HTMLElement).dataset['key'] ?? '';
    // In a call the keypad talks to the far end (an IVR menu); otherwise it types the number.
    if (this.callState === 'connected') {
      this.#phone?.sendDtmf(key);
      return;
    }
    this.#number += key;
    this.requestUpdate();
  };

  #onCallClick = () => {
    if (this.#number.trim()) this.#run(this.call(this.#number));
  };

  /** Runs a user action from a button; a failure is shown, not thrown into the page. */
  #run(action: Promise<unknown>): void {
    this.#problem = '';
    this.requestUpdate();
    action.catch((error: unknown) => {
      this.#problem = error instanceof Error ? error.message : String(error);
      this.requestUpdate();
    });
  }

  #requirePhone(): PhoneController {
    if (!this.#phone) throw new PhoneStateError('the softphone is not configured: set token, or server, domain, extension and password');
    return this.#phone;
  }

  /** Starts, restarts or stops the phone when its configuration changed. */
  #syncPhone(): void {
    const options: PhoneOptions = {
      token: this.token || undefined,
      server: this.server || undefined,
      domain: this.domain || undefined,
      extension: this.extension || undefined,
      password: this.password || undefined,
      displayName: this.displayName || undefined,
      iceServers: this.iceServers,
    };
    const key = JSON.stringify(options);
    if (key === this.#phoneConfigKey) return;
    this.#phoneConfigKey = key;
    this.#stopPhone();
    this.#problem = '';
    let phone: PhoneController;
    try {
      phone = new PhoneController(options);
    } catch (error) {
      // Say what is wrong once something was configured; an empty element is just not set up yet.
      if (options.token || options.server) this.#problem = error instanceof Error ? error.message : String(error);
      this.requestUpdate();
      return;
    }
    this.#phone = phone;
    this.#listenTo(phone);
    void phone.start();
  }

  #stopPhone(): void {
    const phone = this.#phone;
    if (!phone) return;
    this.#phoneListeners?.abort();
    this.#phone = undefined;
    this.#remote = undefined;
    this.registration = 'unregistered';
    this.callState = 'idle';
    void phone.stop();
  }

  #listenTo(phone: PhoneController): void {
    const listeners = new AbortController();
    this.#phoneListeners = listeners;
    const { signal } = listeners;
    phone.addEventListener(
      'state-change',
      ({ detail }) => {
        this.registration = detail.registration;
        this.callState = detail.callState;
        this.#remote = detail.remote;
        if (detail.registration === 'registered') this.#problem = '';
        this.requestUpdate();
      },
      { signal },
    );
    phone.addEventListener('registered', ({ detail }) => this.#dispatch('highrise-registered', detail), { signal });
    phone.addEventListener('unregistered', ({ detail }) => this.#dispatch('highrise-unregistered', detail), { signal });
    phone.addEventListener(
      'registration-failed',
      ({ detail }) => {
        this.#problem = detail.reason;
        this.requestUpdate();
        this.#dispatch('highrise-registration-failed', detail);
      },
      { signal },
    );
    phone.addEventListener('incoming-call', ({ detail }) => this.#dispatch('highrise-incoming-call', detail), { signal });
    phone.addEventListener('call-connected', ({ detail }) => this.#dispatch('highrise-call-connected', detail), { signal });
    phone.addEventListener('call-ended', ({ detail }) => this.#dispatch('highrise-call-ended', detail), { signal });
  }

  /** Ring tone while a call rings in, the far end's audio while connected, silence otherwise. */
  #syncAudio(): void {
    const audio = this.renderRoot.querySelector('audio');
    const mode = this.callState === 'incoming' ? 'ring' : this.callState === 'connected' ? 'call' : 'none';
    if (!audio || mode === this.#audioMode) return;
    this.#audioMode = mode;
    audio.pause();
    audio.srcObject = null;
    audio.removeAttribute('src');
    audio.loop = mode === 'ring';
    if (mode === 'ring') audio.src = getRingToneUrl();
    if (mode === 'call') audio.srcObject = this.#phone?.remoteStream ?? null;
    if (mode === 'none') audio.load();
    else audio.play().catch(ignore); // autoplay may be blocked until the user has interacted
  }

  #dispatch<K extends keyof HighriseSoftphoneEventMap>(type: K, detail: HighriseSoftphoneEventMap[K]['detail'], cancelable = false): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
  }
}

function userPart(uri: string): string {
  return /^sips?:([^@]+)@/i.exec(uri)?.[1] ?? uri;
}
