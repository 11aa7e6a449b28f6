/**
 * Every sentence the widget shows, in English. A locale is an object of the same shape
 * (`ui/locales/es.ts`); missing keys fall back to English. Keys that are machine codes
 * (`not_found`, `token_expired`, …) are how events' codes become sentences: events keep the code.
 */
export const en = {
  phone: 'Phone',
  ready: 'Ready',
  connecting: 'Connecting…',
  offline: 'Offline',
  notConfigured: 'Not configured',
  number: 'Number',
  dialpad: 'Dialpad',
  callControls: 'Call controls',
  call: 'Call',
  answer: 'Answer',
  reject: 'Reject',
  hangup: 'Hang up',
  mute: 'Mute',
  hold: 'Hold',
  transfer: 'Transfer',
  transferTo: 'Transfer to',
  incoming: 'Incoming call',
  waiting: 'Call waiting',
  calling: 'Calling…',
  inCall: 'In call',
  onHold: 'On hold',
  chat: 'Messages',
  message: 'Message',
  send: 'Send',
  // Why a call did not happen, by CallEndReason.
  not_found: 'Number not found',
  busy: 'Busy',
  declined: 'Call declined',
  unavailable: 'Not available',
  line_limit: "Your company's line limit is reached",
  connection_lost: 'Connection lost — call ended',
  failed: 'The call could not be made',
  // Call quality warnings, by QualityWarning code.
  'high-rtt': 'The connection is slow: the other side may hear you late.',
  'high-jitter': 'The connection is unsteady: the audio may break up.',
  'high-packet-loss': 'Audio is getting lost on the way.',
  'low-mos': 'The call quality is poor.',
  // Why the phone is not registered.
  token_expired: 'Session expired — reconnecting',
  tenant_suspended: "Your company's phone service is suspended",
  signInRefused: 'Sign-in refused — check the credentials',
  unreachable: 'Service unreachable — retrying',
  serviceBusy: 'Service busy — retrying',
  registrationFailed: 'Could not sign in',
};

export type Messages = typeof en;

/** The sentence for why registration failed, from the event's codes. */
export function registrationProblem(detail: { reason: string; statusCode?: number }): keyof Messages {
  const { reason, statusCode = 0 } = detail;
  if (reason === 'token_expired' || reason === 'tenant_suspended') return reason;
  if (reason === 'connection_failed') return 'unreachable';
  if (statusCode >= 500) return 'serviceBusy';
  if (statusCode === 401 || statusCode === 403 || reason.startsWith('token_')) return 'signInRefused';
  return 'registrationFailed';
}

const registry = new Map<string, Messages>([['en', en]]);

/** Adds (or replaces) a locale, e.g. from an app that bundles its own: `registerLocale('de', {…})`. */
export function registerLocale(lang: string, messages: Partial<Messages>): void {
  registry.set(lang.toLowerCase(), { ...en, ...messages });
}

/** The catalogue for `lang` (`es-MX` falls back to `es`, anything unknown to English), or undefined when not loaded yet. */
export function messagesFor(lang: string): Messages | undefined {
  return registry.get(lang.toLowerCase()) ?? registry.get(baseLanguage(lang));
}

const baseLanguage = (lang: string) => lang.toLowerCase().split('-')[0] || 'en';

/**
 * Loads a shipped locale lazily: `locales/<lang>.js` next to the module (the one-file bundle's
 * dist/ folder), so a page that stays in English never downloads one. Resolves either way.
 */
/** A module shipped beside this one (dist/), loaded only when asked for: locales, branding. */
export const sibling = (path: string): Promise<unknown> => import(/* @vite-ignore */ new URL(path, import.meta.url).href);

export async function loadLocale(lang: string): Promise<void> {
  const base = baseLanguage(lang);
  if (messagesFor(lang) || !/^[a-z]{2,3}$/.test(base)) return;
  try {
    const module = (await sibling(`./locales/${base}.js`)) as { default: Partial<Messages> };
    registerLocale(base, module.default);
  } catch {
    registerLocale(base, {}); // not shipped: English, and no second attempt
  }
}
