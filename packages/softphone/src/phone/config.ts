import { PhoneConfigError } from './errors';
import { decodeTokenClaims } from './token';

export interface PhoneOptions {
  /** SIP WebSocket endpoint, `ws(s)://…/sip`. May be omitted when `token` carries it (`ws` claim). */
  server?: string;
  /**
   * Softphone token from `POST /v1/tenants/{id}/softphone-tokens`. It travels in every REGISTER's
   * `Authorization: Bearer` header (RFC 8898), never in the WebSocket URL where proxies log it, so
   * a new token re-authenticates the live connection without touching calls.
   */
  token?: string;
  /** Address of record, `sip:101@acme-dental.sip.localhost`. Defaults to the token's `sub`, or `sip:<extension>@<domain>`. */
  aor?: string;
  /** The tenant's SIP domain (digest realm), for digest registration without a token. */
  domain?: string;
  /** Extension number: the digest username. */
  extension?: string;
  /** SIP password of the extension, for digest registration. */
  password?: string;
  /** Name shown to the people this phone calls. Defaults to the token's `name` claim. */
  displayName?: string;
  /** STUN/TURN servers. Empty by default: the phone never contacts a server nobody configured. */
  iceServers?: RTCIceServer[];
  /** Milliseconds to wait for ICE candidates before sending the SDP (no trickle ICE). Default 500. */
  iceGatheringTimeout?: number;
}

/** Everything the controller needs, resolved and checked once. */
export interface PhoneConfig {
  /** The URL the WebSocket opens first… */
  wsUrl: string;
  /** …and every URL, tried in turn when a connection drops (several Kamailio nodes). */
  wsUrls: string[];
  /** The token every REGISTER carries as `Authorization: Bearer` (not with the token's own digest credentials). */
  bearerToken: string | undefined;
  /** When the token expires (epoch ms), if it says. */
  tokenExpiresAt: number | undefined;
  aor: string;
  /** Host part of the AOR: bare numbers are dialled inside it. */
  domain: string;
  /** User part of the AOR. */
  user: string;
  authorizationUsername: string | undefined;
  authorizationPassword: string | undefined;
  displayName: string | undefined;
  iceServers: RTCIceServer[];
  iceGatheringTimeout: number;
}

export const DEFAULT_ICE_GATHERING_TIMEOUT_MS = 500;

/** Resolves options into a connection description, or throws `PhoneConfigError` saying what is missing. */
export function resolvePhoneConfig(options: PhoneOptions): PhoneConfig {
  const claims = options.token ? decodeTokenClaims(options.token) : undefined;
  const ws = claims?.ws;
  const wsUrls = options.server ? [options.server] : [ws].flat().filter((url): url is string => typeof url === 'string' && !!url);
  if (!wsUrls.length) throw new PhoneConfigError('server is required (or a token whose `ws` claim names it)');
  for (const server of wsUrls) if (!/^wss?:\/\//i.test(server)) throw new PhoneConfigError(`server must be a ws:// or wss:// URL, got ${server}`);

  const aor =
    options.aor ||
    (typeof claims?.sub === 'string' ? claims.sub : undefined) ||
    (options.extension && options.domain ? `sip:${options.extension}@${options.domain}` : undefined);
  if (!aor) throw new PhoneConfigError('aor is required: give a token, or extension and domain');
  const match = /^sips?:([^@\s]+)@([^;>\s]+)$/i.exec(aor);
  if (!match) throw new PhoneConfigError(`aor must look like sip:<user>@<domain>, got ${aor}`);
  const user = match[1]!;
  const domain = match[2]!;

  if (!options.token && !options.password) throw new PhoneConfigError('a token or a password is required');

  const iceGatheringTimeout = options.iceGatheringTimeout ?? DEFAULT_ICE_GATHERING_TIMEOUT_MS;
  if (!(iceGatheringTimeout >= 0)) throw new PhoneConfigError('iceGatheringTimeout must be a number of milliseconds >= 0');

  // A token for the Kamailio edge carries digest credentials: Kamailio checks those, not the token.
  const sip = claims?.sip;
  const tokenDigest = !options.password && typeof sip?.username === 'string' && typeof sip.password === 'string';
  return {
    wsUrl: wsUrls[0]!,
    wsUrls,
    aor,
    domain,
    user,
    authorizationUsername: tokenDigest ? (sip!.username as string) : options.password ? options.extension || user : undefined,
    authorizationPassword: tokenDigest ? (sip!.password as string) : options.password || undefined,
    displayName: options.displayName || (typeof claims?.name === 'string' ? claims.name : undefined) || undefined,
    iceServers: [...(options.iceServers ?? [])],
    iceGatheringTimeout,
    bearerToken: (!tokenDigest && options.token) || undefined,
    tokenExpiresAt: typeof claims?.exp === 'number' ? claims.exp * 1000 : undefined,
  };
}
