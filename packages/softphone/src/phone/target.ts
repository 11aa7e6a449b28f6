import { PhoneTargetError } from './errors';

// Spaces, dashes and brackets are how people write numbers, not part of them.
const VISUAL_SEPARATORS = /[\s()-]/g;
const DIALLABLE = /^\+?[0-9A-Za-z*#._]+$/;

/**
 * Turns what a user dialled into a request URI. A bare number or name stays inside the caller's
 * own SIP domain (`102` → `sip:102@<domain>`), which is how the edge keeps calls inside a tenant;
 * `user@host` and full `sip:`/`sips:` URIs are taken as given.
 */
export function targetToUri(target: string, domain: string): string {
  const trimmed = target.trim();
  if (/^sips?:/i.test(trimmed)) {
    if (/\s/.test(trimmed) || !trimmed.includes('@')) throw new PhoneTargetError(`not a SIP URI: ${target}`);
    return trimmed;
  }
  if (trimmed.includes('@')) {
    if (/\s/.test(trimmed) || /^@|@$/.test(trimmed)) throw new PhoneTargetError(`not a SIP address: ${target}`);
    return `sip:${trimmed}`;
  }
  const dialled = trimmed.replace(VISUAL_SEPARATORS, '');
  if (!DIALLABLE.test(dialled)) throw new PhoneTargetError(`nothing to call: ${JSON.stringify(target)}`);
  // `#` starts a fragment in a URI, so it travels escaped in the user part.
  return `sip:${dialled.replace(/#/g, '%23')}@${domain}`;
}
