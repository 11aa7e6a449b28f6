import type { z } from 'zod';
import { WebhookVerificationError } from './errors/webhook-verification-error';
import type { Open } from './core/open';
import { webhookEventTypes } from './generated/response-shapes';
import type { WebhookEvent as WebhookEventSchema, WebhookEventType } from './schemas/webhooks';

/** A delivery of a type this SDK knows, `data` typed by `type` (open to values a newer platform adds). */
export type WebhookEvent = Open<z.output<typeof WebhookEventSchema>>;

/**
 * A delivery of a type this SDK version does not know yet (the platform added it later; an
 * endpoint subscribed to `*` receives it). verifyWebhook checks its signature like any other and
 * returns it; `isKnownWebhookEvent` tells the two apart.
 */
export interface UnknownWebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  tenantId: string | null;
  data: Record<string, unknown>;
}

const knownTypes: ReadonlySet<string> = new Set(webhookEventTypes);

/** True for the event types this SDK knows; then `switch (event.type)` types `event.data`. */
export function isKnownWebhookEvent(event: WebhookEvent | UnknownWebhookEvent): event is WebhookEvent {
  return knownTypes.has(event.type);
}

/**
 * The `Highrise-Signature` header as any server hands it over: a string, Node's
 * `req.headers['highrise-signature']` (string | string[] | undefined), a fetch `Headers`, or
 * Node's whole `req.headers` object.
 */
export type SignatureHeader = string | readonly string[] | undefined | null | Headers | Record<string, string | readonly string[] | undefined>;

/**
 * Webhook signatures, verifiable in browsers, Node, Deno and workers alike: WebCrypto only.
 * `Highrise-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; during a
 * secret rotation's grace period a delivery carries one v1 per secret, and any one matching is enough.
 */

export interface VerifyWebhookOptions {
  /** How far the signed timestamp may be from now, either way (replay window). Default 300. */
  toleranceSeconds?: number;
  /** The current time, for tests. */
  now?: Date | number;
}

const encoder = new TextEncoder();
const bytesOf = (body: string | Uint8Array) => (typeof body === 'string' ? encoder.encode(body) : body);

async function hmacHex(secret: string, timestamp: number, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const prefix = encoder.encode(`${timestamp}.`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares in time that depends only on the length (which is public: always 64 hex characters). */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new WebhookVerificationError('malformed_header', 'the Highrise-Signature header needs t=<unix seconds> and at least one v1=<hex HMAC>');
  }
  return { timestamp, signatures };
}

/**
 * Checks a delivery and returns its event. Pass the body exactly as received (the raw text or
 * bytes, not re-serialised JSON), the `Highrise-Signature` header and the endpoint's `whsec_…`
 * secret. Throws `WebhookVerificationError` when the header is malformed, no signature matches,
 * or the timestamp is outside `toleranceSeconds` (a replay), or the body is not an event envelope.
 * Any signed event is returned, also of a type this SDK does not know: check `isKnownWebhookEvent`
 * before `switch (event.type)`.
 */
export async function verifyWebhook(
  body: string | Uint8Array,
  header: SignatureHeader,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent | UnknownWebhookEvent> {
  const { timestamp, signatures } = parseHeader(headerText(header));
  const bytes = bytesOf(body);
  const expected = await hmacHex(secret, timestamp, bytes);
  // Every candidate is compared, so the time taken does not say which one matched.
  let matched = false;
  for (const signature of signatures) matched = constantTimeEqual(signature, expected) || matched;
  if (!matched) throw new WebhookVerificationError('no_matching_signature', 'no v1 signature matches this body and secret');
  const nowMs = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(Math.floor(nowMs / 1000) - timestamp) > tolerance) {
    throw new WebhookVerificationError('timestamp_out_of_tolerance', `the signature's timestamp is more than ${tolerance} s from now`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    throw new WebhookVerificationError('malformed_body', 'the signed body is not JSON');
  }
  if (!isEnvelope(parsed)) throw new WebhookVerificationError('malformed_body', 'the signed body is not a Highrise event');
  // Only the envelope is checked. The signature already says the platform sent this body, and a
  // receiver that refused a signed event over its `data` would answer 400 and be retried for
  // days; a newer platform's fields and types pass through as received.
  return parsed;
}

function headerText(header: SignatureHeader): string {
  if (typeof header === 'string') return header;
  if (header === undefined || header === null) return '';
  if (Array.isArray(header)) return header.join(',');
  if (typeof Headers !== 'undefined' && header instanceof Headers) return header.get('highrise-signature') ?? '';
  const record = header as Record<string, string | readonly string[] | undefined>;
  const value = record['highrise-signature'] ?? record['Highrise-Signature'];
  return value === undefined ? '' : headerText(value);
}

function isEnvelope(value: unknown): value is UnknownWebhookEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.createdAt === 'string' &&
    (v.tenantId === null || typeof v.tenantId === 'string') &&
    typeof v.data === 'object' &&
    v.data !== null
  );
}

export type { WebhookEventType };

export interface BuildWebhookSignatureOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
}

/** The header the platform would send for `body` under `secret`: for testing your receiver. */
export async function buildWebhookSignatureHeader(body: string | Uint8Array, secret: string, options: BuildWebhookSignatureOptions = {}): Promise<string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return `t=${timestamp},v1=${await hmacHex(secret, timestamp, bytesOf(body))}`;
}
