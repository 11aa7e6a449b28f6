import { PhoneConfigError } from './errors';

/**
 * The claims the widget reads from a softphone token. The platform signs the token and checks it
 * when the WebSocket opens; the client only reads where to connect and who it is, so no signature
 * check (and no key) is needed here.
 */
export interface SoftphoneTokenClaims {
  /** The AOR this token registers as, e.g. `sip:101@acme-dental.sip.localhost`. */
  sub?: string;
  /** The SIP WebSocket endpoint, e.g. `wss://pbx.example.com/sip`, or several (Kamailio nodes) to try in order. */
  ws?: string | string[];
  /** Digest credentials for the Kamailio edge (`auth_ephemeral`), which does not read the token; expire with it. */
  sip?: { username?: unknown; password?: unknown };
  /** The platform's HTTP origin, when the SIP edge is elsewhere (branding asks it). */
  api?: string;
  /** Display name of the extension (optional), shown to the people this phone calls. */
  name?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
  [claim: string]: unknown;
}

/** Decodes the payload of a JWT (base64url JSON, the middle part). */
export function decodeTokenClaims(token: string): SoftphoneTokenClaims {
  const payload = token.split('.')[1];
  if (!payload) throw new PhoneConfigError('token is not a JWT: expected three dot-separated parts');
  let claims: unknown;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PhoneConfigError('token payload is not base64url-encoded JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new PhoneConfigError('token payload is not a JSON object');
  }
  return claims as SoftphoneTokenClaims;
}
