/**
 * The SIP message model of the edge: an ordered header list with canonical lower-case names,
 * a byte body, and a serializer that always writes a correct Content-Length in bytes.
 */
export interface SipHeader {
  /** Canonical lower-case long name (`via`, `call-id`, compact forms expanded). */
  name: string;
  value: string;
}

interface SipMessageBase {
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Headers that may carry several comma-separated values; they are stored one value per entry. */
export const LIST_HEADERS = new Set(['via', 'route', 'record-route', 'contact']);

const DISPLAY_NAMES: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'record-route': 'Record-Route',
  'max-forwards': 'Max-Forwards',
};

export function displayName(name: string): string {
  return DISPLAY_NAMES[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

export function header(message: SipMessage, name: string): string | undefined {
  return message.headers.find((h) => h.name === name)?.value;
}

export function headers(message: SipMessage, name: string): string[] {
  return message.headers.filter((h) => h.name === name).map((h) => h.value);
}

/** Replaces every value of a header with one, where the first one was (or at the end). */
export function setHeader(message: SipMessage, name: string, value: string): void {
  const index = message.headers.findIndex((h) => h.name === name);
  if (index < 0) return void message.headers.push({ name, value });
  message.headers[index] = { name, value };
  message.headers = message.headers.filter((h, i) => h.name !== name || i === index);
}

/** Puts a header value above every existing one of that name (Via, Record-Route). */
export function prependHeader(message: SipMessage, name: string, value: string): void {
  const index = message.headers.findIndex((h) => h.name === name);
  message.headers.splice(index < 0 ? message.headers.length : index, 0, { name, value });
}

/** Removes the first value of a header, e.g. the edge's own Via from a response. */
export function removeFirstHeader(message: SipMessage, name: string): void {
  const index = message.headers.findIndex((h) => h.name === name);
  if (index >= 0) message.headers.splice(index, 1);
}

export function serialize(message: SipMessage): Buffer {
  const start =
    message.kind === 'request' ? `${message.method} ${message.uri} SIP/2.0` : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [start];
  for (const h of message.headers) {
    if (h.name !== 'content-length') lines.push(`${displayName(h.name)}: ${h.value}`);
  }
  lines.push(`Content-Length: ${message.body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), message.body]);
}

/** Copies a request's transaction headers into a response (RFC 3261 8.2.6.2). */
export function responseTo(
  request: SipRequest,
  status: number,
  reason: string,
  options: { toTag?: string; headers?: SipHeader[] } = {},
): SipResponse {
  const copied = request.headers.filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name));
  const response: SipResponse = { kind: 'response', status, reason, headers: copied.map((h) => ({ ...h })), body: Buffer.alloc(0) };
  const to = header(response, 'to');
  if (to !== undefined && options.toTag && status > 100 && !/;\s*tag=/i.test(to)) setHeader(response, 'to', `${to};tag=${options.toTag}`);
  response.headers.push(...(options.headers ?? []));
  return response;
}

export const REASONS: Record<number, string> = {
  100: 'Trying',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  416: 'Unsupported URI Scheme',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  600: 'Busy Everywhere',
  603: 'Decline',
};
