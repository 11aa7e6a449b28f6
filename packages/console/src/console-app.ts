// <highrise-console>: sign-in, then the view the key's role allows, with range, time zone and
// live-refresh controls. Signing out (or reloading) drops the SDK client and with it the key.
import { LitElement, css, html, nothing, type PropertyDeclarations } from 'lit';
import { AuthenticationError } from '@highrise/sdk';
import type { OperatorView } from './operator-view';
import { defaultTimeZone, rangeFor, RANGES, timeZones, type Range } from './range';
import { signIn, type Session } from './session';
import type { TenantView } from './tenant-view';
import './operator-view';
import './tenant-view';

const POLL_CHOICES = [
  { ms: 0, label: 'Off' },
  { ms: 15_000, label: 'Every 15 s' },
  { ms: 60_000, label: 'Every minute' },
];

export class HighriseConsole extends LitElement {
  static override styles = css`
    :host {
      display: block;
      min-height: 100vh;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
      align-items: center;
      justify-content: space-between;
      padding: 0.75rem 1.25rem;
      background: #1f2933;
      color: #fff;
    }
    header h1 {
      font-size: 1.1rem;
      margin: 0;
    }
    .who {
      font-size: 0.9rem;
    }
    main {
      padding: 1rem 1.25rem 2rem;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
      align-items: end;
      margin-bottom: 1rem;
    }
    label {
      display: flex;
      flex-direction: column;
      gap: 0.2rem;
      font-size: 0.85rem;
      color: #3e4c59;
    }
    select,
    input,
    button {
      font: inherit;
      padding: 0.35rem 0.5rem;
      border: 1px solid #7b8794;
      border-radius: 6px;
      background: #fff;
      color: #1f2933;
    }
    button {
      cursor: pointer;
    }
    button.primary {
      background: #1f5fad;
      border-color: #1f5fad;
      color: #fff;
    }
    header button {
      background: transparent;
      color: #fff;
      border-color: #cbd2d9;
    }
    :focus-visible {
      outline: 3px solid #f0b429;
      outline-offset: 2px;
    }
    form.sign-in {
      max-width: 28rem;
      margin: 4rem auto;
      background: #fff;
      border: 1px solid #d9dee3;
      border-radius: 8px;
      padding: 1.5rem;
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    form.sign-in h2 {
      margin: 0;
      font-size: 1.2rem;
    }
    form.sign-in p {
      margin: 0;
      color: #52606d;
    }
    .error {
      color: #ab091e;
    }
    .updated {
      font-size: 0.85rem;
      color: #52606d;
    }
  `;

  static override properties: PropertyDeclarations = {
    session: { state: true },
    signingIn: { state: true },
    signInError: { state: true },
    rangeId: { state: true },
    timeZone: { state: true },
    pollMs: { state: true },
    refreshedAt: { state: true },
    refreshing: { state: true },
  };

  declare session: Session | undefined;
  declare signingIn: boolean;
  declare signInError: string;
  declare rangeId: string;
  declare timeZone: string;
  declare pollMs: number;
  declare refreshedAt: Date | undefined;
  declare refreshing: boolean;

  #timer: ReturnType<typeof setInterval> | undefined;
  #again = false;
  readonly #zones = timeZones();

  constructor() {
    super();
    this.signingIn = false;
    this.signInError = '';
    this.rangeId = '30d';
    this.timeZone = defaultTimeZone();
    this.pollMs = 15_000;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopPolling();
  }

  get range(): Range {
    return rangeFor(RANGES.find((r) => r.id === this.rangeId) ?? RANGES[2]!, this.timeZone);
  }

  async #signIn(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem('key') as HTMLInputElement;
    this.signingIn = true;
    this.signInError = '';
    try {
      this.session = await signIn(input.value.trim());
      input.value = '';
      await this.updateComplete;
      await this.refresh();
      this.#startPolling();
    } catch (e) {
      this.signInError = e instanceof AuthenticationError ? 'That API key is not valid.' : `Could not sign in: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.signingIn = false;
    }
  }

  #signOut() {
    this.#stopPolling();
    this.session = undefined;
    this.refreshedAt = undefined;
  }

  /** Reloads the current view in place (no page reload): pickers, the poll timer and the button call it. */
  async refresh(): Promise<void> {
    // One load at a time; a picker changed meanwhile gets one more load when it ends.
    if (this.refreshing) {
      this.#again = true;
      return;
    }
    const view = this.renderRoot.querySelector<OperatorView | TenantView>('hr-operator-view, hr-tenant-view');
    if (!view) return;
    this.refreshing = true;
    try {
      do {
        this.#again = false;
        view.range = this.range;
        await view.refresh();
        this.refreshedAt = new Date();
      } while (this.#again && view.isConnected);
    } finally {
      this.refreshing = false;
    }
  }

  #startPolling() {
    this.#stopPolling();
    if (this.pollMs > 0) this.#timer = setInterval(() => void this.refresh(), this.pollMs);
  }

  #stopPolling() {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #changed(apply: () => void) {
    apply();
    await this.updateComplete;
    await this.refresh();
  }

  protected override render() {
    const session = this.session;
    const who = !session ? '' : session.role.kind === 'tenant' ? `Tenant admin · ${session.role.tenant.name}` : session.role.kind === 'provider' ? 'Provider' : 'Reseller';
    return html`<header>
        <h1>Highrise console</h1>
        ${session ? html`<span class="who" data-role=${session.role.kind}>${who}</span><button type="button" @click=${this.#signOut}>Sign out</button>` : nothing}
      </header>
      <main>${session ? this.#dashboard(session) : this.#signInForm()}</main>`;
  }

  #signInForm() {
    return html`<form class="sign-in" @submit=${this.#signIn}>
      <h2>Sign in</h2>
      <p>Use a provider, reseller or tenant admin API key. It stays in this tab’s memory only: reloading the page signs you out.</p>
      <label>API key <input name="key" type="password" autocomplete="off" spellcheck="false" required /></label>
      ${this.signInError ? html`<p class="error" role="alert">${this.signInError}</p>` : nothing}
      <button class="primary" type="submit" ?disabled=${this.signingIn}>${this.signingIn ? 'Signing in…' : 'Sign in'}</button>
    </form>`;
  }

  #dashboard(session: Session) {
    const range = this.range;
    return html`<div class="controls">
        <label
          >Time range
          <select name="range" @change=${(e: Event) => this.#changed(() => (this.rangeId = (e.target as HTMLSelectElement).value))}>
            ${RANGES.map((r) => html`<option value=${r.id} ?selected=${r.id === this.rangeId}>${r.label}</option>`)}
          </select>
        </label>
        <label
          >Time zone
          <select name="tz" @change=${(e: Event) => this.#changed(() => (this.timeZone = (e.target as HTMLSelectElement).value))}>
            ${this.#zones.map((z) => html`<option value=${z} ?selected=${z === this.timeZone}>${z}</option>`)}
          </select>
        </label>
        <label
          >Live refresh
          <select
            name="poll"
            @change=${(e: Event) => {
              this.pollMs = Number((e.target as HTMLSelectElement).value);
              this.#startPolling();
            }}
          >
            ${POLL_CHOICES.map((p) => html`<option value=${p.ms} ?selected=${p.ms === this.pollMs}>${p.label}</option>`)}
          </select>
        </label>
        <button type="button" @click=${() => this.refresh()} ?disabled=${this.refreshing}>Refresh now</button>
        <span class="updated" aria-live="polite" data-refreshed-at=${this.refreshedAt?.toISOString() ?? ''}
          >${this.refreshedAt ? `Updated ${this.refreshedAt.toLocaleTimeString('en-GB', { timeZone: this.timeZone })}` : 'Loading…'}</span
        >
      </div>
      ${session.role.kind === 'tenant'
        ? html`<hr-tenant-view .hr=${session.hr} .tenant=${session.role.tenant} .range=${range}></hr-tenant-view>`
        : html`<hr-operator-view .hr=${session.hr} level=${session.role.kind} .range=${range}></hr-operator-view>`}`;
  }
}

if (!customElements.get('highrise-console')) customElements.define('highrise-console', HighriseConsole);

declare global {
  interface HTMLElementTagNameMap {
    'highrise-console': HighriseConsole;
  }
}
