/**
 * Parsing of header values. URIs go through sip.js's grammar, which is sound for them; name-addr
 * framing, digest credentials, `Contact: *` and list splitting are ours, because sip.js has no
 * rule for `Authorization`, rejects `*`, and is slow per call
 * (see docs/decisions/2026-11-28-sip-parsing.md).
 */
import { Grammar, URI } from 'sip.js';

/** Splits a header value on commas that are outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') {
        current += c + (value[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/**
 * The longest URI the edge reads, in characters. Real ones (AORs, contacts with a few parameters,
 * the edge's Record-Route) are under 200; a longer Request-URI is refused with 414 by the framer,
 * and any other is not parsed at all, so strangers cannot make the edge hold big strings.
 */
export const MAX_URI_LENGTH = 1024;

/**
 * sip.js's grammar rebuilds its whole constant table on every call (about 0.2 ms), so URIs, which
 * repeat endlessly (AORs, contacts, the edge's own domain), are memoized. The URI objects are
 * shared: read them, never change them. Only URIs that parse are kept (a stranger's garbage never
 * is), and the cache is bounded by an estimate of the memory it holds as well as by its entries.
 */
const uriCache = new Map<string, { uri: URI; bytes: number }>();
const URI_CACHE_ENTRIES = 20_000;
export const URI_CACHE_MAX_BYTES = 8 * 1024 * 1024;
let uriCacheBytes = 0;

/**
 * What one cached URI costs, roughly: the key, the parsed parts (substrings of it, copied by the
 * grammar) and the objects around them. An estimate, deliberately on the high side.
 */
function cachedBytes(text: string): number {
  return 4 * text.length + 256;
}

/** Entries and estimated bytes of the URI cache, for tests and diagnostics. */
export function uriCacheStats(): { entries: number; bytes: number } {
  return { entries: uriCache.size, bytes: uriCacheBytes };
}

export function parseUri(value: string): URI | undefined {
  const text = value.trim();
  if (text.length > MAX_URI_LENGTH) return undefined;
  const hit = uriCache.get(text);
  if (hit) return hit.uri;
  let uri: URI | undefined = parsePlainUri(text);
  if (!uri) {
    try {
      uri = Grammar.URIParse(text);
    } catch {
      uri = undefined;
    }
  }
  if (!uri) return undefined;
  const bytes = cachedBytes(text);
  while (uriCache.size > 0 && (uriCache.size >= URI_CACHE_ENTRIES || uriCacheBytes + bytes > URI_CACHE_MAX_BYTES)) {
    const [oldest, entry] = uriCache.entries().next().value!;
    uriCache.delete(oldest);
    uriCacheBytes -= entry.bytes;
  }
  uriCache.set(text, { uri, bytes });
  uriCacheBytes += bytes;
  return uri;
}

/**
 * `sip:user@host[:port][;params]` with nothing unusual in it (no escapes, no IPv6, no URI
 * headers): the form of nearly every AOR and contact. Parsed here into the same URI the grammar
 * would build (uri-fast-path.test.ts holds the two side by side), because a REGISTER flood of
 * fresh contacts would otherwise spend most of its time in the grammar. Anything else → grammar.
 */
const PLAIN_URI = /^(sips?):(?:([A-Za-z0-9\-_.!~*'()&=+$,?/]+)@)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::(\d{1,5}))?((?:;[A-Za-z0-9\-_.!~*'+`%]+(?:=[A-Za-z0-9\-_.!~*'+`%]+)?)*)$/;
/** Parameters whose handling by the grammar is plain; a URI with any other goes to the grammar. */
const PLAIN_PARAMS = new Set(['transport', 'lr', 'ob', 'user']);

export function parsePlainUri(text: string): URI | undefined {
  const match = PLAIN_URI.exec(text);
  if (!match) return undefined;
  const [, scheme, user, host, port, paramText] = match;
  const params: Record<string, string | undefined> = {};
  for (const part of paramText!.split(';').slice(1)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (name in params || !PLAIN_PARAMS.has(name)) return undefined; // duplicates and the rest: the grammar decides
    const raw = eq < 0 ? undefined : part.slice(eq + 1);
    // The grammar lower-cases these two values and keeps every other one as written.
    params[name] = raw !== undefined && (name === 'transport' || name === 'user') ? raw.toLowerCase() : raw;
  }
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && portNumber > 65535) return undefined;
  // The grammar stores flag parameters as undefined, whatever the declared type says.
  return new URI(scheme!, user as string, host!, portNumber, params as unknown as Record<string, string | null>);
}

export interface NameAddr {
  uri: URI;
  /** Header parameters (after the URI), names lower-cased; a flag parameter has value null. */
  params: Record<string, string | null>;
}

const DISPLAY_NAME = /^(?:"(?:[^"\\]|\\.)*"|[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*)?$/;
const PARAM = /^\s*;\s*([A-Za-z0-9\-.!%*_+`'~]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9\-.!%*_+`'~:\[\]]+))?/;

/** `;k=v;flag` after a URI; undefined on a syntax error. */
function parseParams(text: string): Record<string, string | null> | undefined {
  const params: Record<string, string | null> = {};
  let rest = text;
  while (rest.trim() !== '') {
    const match = PARAM.exec(rest);
    if (!match) return undefined;
    params[match[1]!.toLowerCase()] = match[2] ?? null;
    rest = rest.slice(match[0].length);
  }
  return params;
}

/**
 * From, To, Contact, Route and Record-Route values: `["name"] <uri>;params` or `uri;params`
 * (in the second form the parameters belong to the header, RFC 3261 20.10).
 */
export function parseNameAddr(value: string): NameAddr | undefined {
  const text = value.trim();
  const open = text.indexOf('<');
  let uriText: string;
  let paramText: string;
  if (open >= 0) {
    const close = text.indexOf('>', open);
    if (close < 0 || !DISPLAY_NAME.test(text.slice(0, open).trim())) return undefined;
    uriText = text.slice(open + 1, close);
    paramText = text.slice(close + 1);
  } else {
    const semicolon = text.indexOf(';');
    uriText = semicolon < 0 ? text : text.slice(0, semicolon);
    paramText = semicolon < 0 ? '' : text.slice(semicolon);
  }
  const uri = parseUri(uriText);
  const params = uri && parseParams(paramText);
  return uri && params ? { uri, params } : undefined;
}

export interface ContactValue {
  uri: URI;
  /** The contact's `expires` parameter, when it has one. */
  expires: number | undefined;
}

/** Contact header values (one per entry, as the framer splits them); `'*'` for the wildcard. */
export function parseContacts(values: string[]): ContactValue[] | '*' | undefined {
  if (values.length === 1 && values[0]!.trim() === '*') return '*';
  const contacts: ContactValue[] = [];
  for (const value of values) {
    const contact = parseNameAddr(value);
    if (!contact) return undefined;
    const raw = contact.params.expires;
    if (raw !== undefined && (raw === null || !/^\d{1,10}$/.test(raw))) return undefined;
    contacts.push({ uri: contact.uri, expires: raw === undefined ? undefined : Number(raw) });
  }
  return contacts;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq | undefined {
  const match = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(value.trim());
  if (!match) return undefined;
  const seq = Number(match[1]);
  return seq < 2 ** 31 ? { seq, method: match[2]! } : undefined;
}

export interface Via {
  transport: string;
  host: string;
  branch: string | undefined;
}

export function parseVia(value: string): Via | undefined {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^\s;]+)(.*)$/i.exec(value.trim());
  if (!match) return undefined;
  const branch = /;\s*branch\s*=\s*([^\s;,]+)/i.exec(match[3]!)?.[1];
  return { transport: match[1]!.toUpperCase(), host: match[2]!.toLowerCase(), branch };
}

/** The `tag` parameter of a From or To value (after the URI, not inside it). */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return parseNameAddr(value)?.params.tag ?? undefined;
}

/**
 * `Digest k=v, k="v"` credentials (Authorization / Proxy-Authorization). Returns undefined for
 * any other scheme or a syntax error; parameter names are lower-cased.
 */
export function parseDigestCredentials(value: string): Record<string, string> | undefined {
  const match = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]+))\s*(?:,|$)/gy;
  const rest = match[1]!;
  let consumed = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    consumed = re.lastIndex;
    if (consumed >= rest.length) break;
  }
  if (rest.slice(consumed).trim() !== '') return undefined;
  return params;
}
