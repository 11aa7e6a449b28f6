import { decodeTokenClaims } from '../phone/token';

/**
 * `<highrise-softphone branding="auto">` loads this module (never part of the one-file bundle): it
 * reads the public branding of the phone's SIP domain from the platform the phone talks to and
 * applies it as the element's `--highrise-*` properties, its header text and its logo.
 */

/** What `GET /v1/public/branding` answers (the SDK's PublicBranding; the widget carries no zod). */
export interface PublicBrandingFields {
  productName: string;
  colors: { accent: string; background: string; text: string };
  fontFamily: string;
  poweredBy: boolean;
  logoUrl: string | null;
}

/** The element as this module sees it. */
export interface BrandableElement extends HTMLElement {
  token?: string | undefined;
  server?: string | undefined;
  domain?: string | undefined;
  label?: string | undefined;
  branding?: string | undefined;
}

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const FONT = /^[A-Za-z0-9 ,"-]+$/;

/**
 * Which branding applies: the platform's HTTP origin and the SIP domain. The origin is the token's
 * `api` claim, the platform that issued it (with the Kamailio edge, the SIP URL is Kamailio's),
 * else the SIP WebSocket URL's (the embedded edge shares the platform's port).
 */
export function brandingSource(el: BrandableElement): { origin: string; domain: string } | undefined {
  let ws = el.server;
  let domain = el.domain;
  let api: string | undefined;
  if (el.token) {
    try {
      const claims = decodeTokenClaims(el.token);
      ws ??= [claims.ws].flat()[0];
      domain ??= claims.sub?.split('@')[1];
      if (typeof claims.api === 'string') api = claims.api;
    } catch {
      return undefined; // the phone reports a bad token itself
    }
  }
  if (!(api || ws) || !domain) return undefined;
  const url = new URL(api || ws!);
  if (!api) url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return { origin: url.origin, domain };
}

/** Sets what the branding says on the element; values that are not what the platform promises are skipped. */
export function applyBrandingFields(el: BrandableElement, origin: string, b: PublicBrandingFields): void {
  const set = (name: string, value: string, valid: RegExp) => {
    if (valid.test(value)) el.style.setProperty(name, value);
  };
  set('--highrise-accent-color', b.colors.accent, HEX);
  set('--highrise-background', b.colors.background, HEX);
  set('--highrise-text-color', b.colors.text, HEX);
  set('--highrise-font-family', b.fontFamily, FONT);
  // The page's own label and logo win over the platform's.
  if (!el.hasAttribute('label')) el.label = b.productName;
  if (b.logoUrl && !el.querySelector('[slot=logo]')) {
    const img = document.createElement('img');
    img.slot = 'logo';
    img.alt = '';
    img.height = 20;
    img.src = new URL(b.logoUrl, origin).href;
    img.dataset.highriseBranding = '';
    el.append(img);
  }
}

const applied = new WeakMap<BrandableElement, string>();

/**
 * Fetches and applies the branding once per element and source (a new token for the same domain
 * fetches nothing). The element calls it whenever it has a `branding` attribute; only `auto` acts.
 */
export default async function applyBranding(el: BrandableElement): Promise<void> {
  if (el.branding !== 'auto') return;
  const source = brandingSource(el);
  if (!source) return;
  const key = `${source.origin} ${source.domain}`;
  if (applied.get(el) === key) return;
  applied.set(el, key);
  try {
    const response = await fetch(`${source.origin}/v1/public/branding?domain=${encodeURIComponent(source.domain)}`, { credentials: 'omit' });
    if (!response.ok) throw new Error(`branding: HTTP ${response.status}`);
    const branding = (await response.json()) as PublicBrandingFields;
    applyBrandingFields(el, source.origin, branding);
    el.dispatchEvent(new CustomEvent('highrise-branding-applied', { detail: branding, bubbles: true, composed: true }));
  } catch {
    applied.delete(el); // unbranded is still a working phone; the next update tries again
  }
}
