/**
 * Turns one WebSocket frame into a SIP message (RFC 7118: one message per frame). Our own framer
 * because sip.js's parser counts Content-Length in characters and drops what it cannot parse;
 * here every defect is reported so the edge can answer 400 (or 413) when a response is possible.
 */
import { LIST_HEADERS, type SipHeader, type SipMessage, type SipRequest } from './message';
import { MAX_URI_LENGTH, parseCSeq, parseUri, parseVia, splitList } from './header-values';

export const MAX_MESSAGE_BYTES = 64 * 1024;

const COMPACT: Record<string, string> = {
  v: 'via',
  i: 'call-id',
  f: 'from',
  t: 'to',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  b: 'referred-by',
  x: 'session-expires',
};

export type FrameResult =
  | { ok: true; message: SipMessage }
  /** `request` is set when the start line and a Via could be read, so a response can be sent. */
  | { ok: false; status: 400 | 413 | 414; problem: string; request?: SipRequest };

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

export function parseFrame(frame: Buffer): FrameResult {
  const split = frame.indexOf('\r\n\r\n');
  if (split < 0) return { ok: false, status: 400, problem: 'no end of headers' };
  const head = frame.subarray(0, split).toString('utf8');
  const body = frame.subarray(split + 4);
  const lines = head.split('\r\n');
  const startLine = lines.shift() ?? '';

  const headerList: SipHeader[] = [];
  let headerProblem: string | undefined;
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && headerList.length > 0) {
      headerList[headerList.length - 1]!.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const rawName = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!TOKEN.test(rawName)) {
      headerProblem ??= 'malformed header line';
      continue;
    }
    const lower = rawName.toLowerCase();
    headerList.push({ name: COMPACT[lower] ?? lower, value: line.slice(colon + 1).trim() });
  }
  const headers: SipHeader[] = [];
  for (const h of headerList) {
    if (LIST_HEADERS.has(h.name) && h.value.trim() !== '*') for (const value of splitList(h.value)) headers.push({ name: h.name, value });
    else headers.push(h);
  }

  const response = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/.exec(startLine);
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(startLine);
  if (!response && !request) return { ok: false, status: 400, problem: 'malformed start line' };

  const message: SipMessage = response
    ? { kind: 'response', status: Number(response[1]), reason: response[2]!, headers, body }
    : { kind: 'request', method: request![1]!.toUpperCase(), uri: request![2]!, headers, body };
  const answerable = message.kind === 'request' && headers.some((h) => h.name === 'via') ? message : undefined;
  const fail = (status: 400 | 413 | 414, problem: string): FrameResult =>
    answerable ? { ok: false, status, problem, request: answerable } : { ok: false, status, problem };

  if (frame.length > MAX_MESSAGE_BYTES) return fail(413, 'message too large');
  if (headerProblem) return fail(400, headerProblem);
  for (const name of ['via', 'call-id', 'cseq', 'from', 'to']) {
    if (!headers.some((h) => h.name === name)) return fail(400, `missing ${name}`);
  }
  for (const name of ['call-id', 'cseq', 'from', 'to', 'content-length', 'max-forwards']) {
    if (headers.filter((h) => h.name === name).length > 1) return fail(400, `duplicate ${name}`);
  }
  if (!headers.filter((h) => h.name === 'via').every((h) => parseVia(h.value))) return fail(400, 'malformed via');
  const cseq = parseCSeq(headers.find((h) => h.name === 'cseq')!.value);
  if (!cseq) return fail(400, 'malformed cseq');
  if (message.kind === 'request') {
    if (cseq.method.toUpperCase() !== message.method) return fail(400, 'cseq method mismatch');
    if (message.uri.length > MAX_URI_LENGTH) return fail(414, 'request-uri too long');
    if (!parseUri(message.uri)) return fail(400, 'malformed request-uri');
  }
  const contentLength = headers.find((h) => h.name === 'content-length')?.value;
  if (contentLength === undefined) {
    if (body.length > 0) return fail(400, 'missing content-length');
  } else if (!/^\d{1,6}$/.test(contentLength) || Number(contentLength) !== body.length) {
    return fail(400, 'bad content-length');
  }
  return { ok: true, message };
}
