/**
 * Fakes for the edge's unit tests (not part of the build): a connection whose socket keeps what
 * it was sent, and a directory of plain data. The layers under test are the real ones.
 */
import { md5 } from './digest';
import { SipConnection, type SipSocket } from './connection';
import type { DialResolution, SipCallRecord, SipDirectory, SipTenant, SipTrunk, SipUser, SoftphoneTokenClaims } from '../domain/sip-directory-contract';
import { parseFrame } from './framing';
import type { SipMessage, SipRequest, SipResponse } from './message';

export class FakeSocket implements SipSocket {
  readonly OPEN = 1 as const;
  readyState: 0 | 1 | 2 | 3 = 1;
  readonly frames: string[] = [];
  send(data: unknown): void {
    this.frames.push(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  }
}

export interface FakeConnection {
  connection: SipConnection;
  socket: FakeSocket;
  /** Every message sent to the connection so far, parsed. */
  sent(): SipMessage[];
  requests(method?: string): SipRequest[];
  responses(status?: number): SipResponse[];
}

export function fakeConnection(token?: SoftphoneTokenClaims): FakeConnection {
  const socket = new FakeSocket();
  const connection = new SipConnection(socket, token);
  const sent = () =>
    socket.frames.flatMap((frame) => {
      const parsed = parseFrame(Buffer.from(frame));
      return parsed.ok ? [parsed.message] : [];
    });
  return {
    connection,
    socket,
    sent,
    requests: (method) => sent().filter((m): m is SipRequest => m.kind === 'request' && (method === undefined || m.method === method)),
    responses: (status) => sent().filter((m): m is SipResponse => m.kind === 'response' && (status === undefined || m.status === status)),
  };
}

export interface FakeDirectoryOptions {
  tenants?: SipTenant[];
  /** Extensions as `{ tenantId, number, password }`. */
  users?: { tenantId: string; number: string; password: string }[];
  trunks?: { tenantId: string; trunkId: string; username: string; password: string }[];
  channels?: number;
  resolveDial?: (tenantId: string, dialled: string) => DialResolution;
}

export interface FakeDirectory extends SipDirectory {
  records: SipCallRecord[];
}

export function fakeDirectory(options: FakeDirectoryOptions = {}): FakeDirectory {
  const tenants = options.tenants ?? [];
  const domainOf = (tenantId: string) => tenants.find((t) => t.id === tenantId)?.sipDomain ?? '';
  const users: SipUser[] = (options.users ?? []).map((u) => ({
    tenantId: u.tenantId,
    extensionId: `ext_${u.number}`,
    number: u.number,
    displayName: `Ext ${u.number}`,
    ha1: md5(`${u.number}:${domainOf(u.tenantId)}:${u.password}`),
    credential: `gen-${u.password}`,
  }));
  const trunks: SipTrunk[] = (options.trunks ?? []).map((t) => ({
    tenantId: t.tenantId,
    trunkId: t.trunkId,
    username: t.username,
    ha1: md5(`${t.username}:${domainOf(t.tenantId)}:${t.password}`),
    callerId: null,
    credential: `gen-${t.password}`,
  }));
  const records: SipCallRecord[] = [];
  return {
    records,
    tenantByDomain: (domain) => tenants.find((t) => t.sipDomain === domain.toLowerCase()),
    user: (tenantId, number) => users.find((u) => u.tenantId === tenantId && u.number === number),
    verifyToken: async () => ({ ok: false, reason: 'token_invalid' }),
    limits: () => ({ channels: options.channels ?? 10, messagesPerMinute: 60 }),
    recordCalls: (batch) => void records.push(...batch),
    trunk: (tenantId, username) => trunks.find((t) => t.tenantId === tenantId && t.username === username),
    ...(options.resolveDial ? { resolveDial: (tenantId: string, dialled: string) => options.resolveDial!(tenantId, dialled) } : {}),
  };
}

/** A request frame as a phone would send it. */
export function requestFrame(options: {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId?: string;
  cseq?: number;
  /** `null`: a Via without a branch. */
  branch?: string | null;
  headers?: string[];
}): Buffer {
  const branch = options.branch === null ? '' : `;branch=${options.branch ?? `z9hG4bK${Math.random().toString(36).slice(2)}`}`;
  return Buffer.from(
    [
      `${options.method} ${options.uri} SIP/2.0`,
      `Via: SIP/2.0/WS phone.invalid${branch}`,
      'Max-Forwards: 70',
      `From: ${options.from}`,
      `To: ${options.to}`,
      `Call-ID: ${options.callId ?? 'call-1'}`,
      `CSeq: ${options.cseq ?? 1} ${options.method}`,
      ...(options.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** A UA's answer to a request it received (Via, From, To with `toTag`, Call-ID, CSeq copied). */
export function responseFrame(request: SipRequest, status: number, options: { toTag?: string; headers?: string[] } = {}): Buffer {
  const copied = request.headers
    .filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name))
    .map((h) => `${h.name}: ${h.name === 'to' && options.toTag && !/;tag=/.test(h.value) ? `${h.value};tag=${options.toTag}` : h.value}`);
  return Buffer.from([`SIP/2.0 ${status} Whatever`, ...copied, ...(options.headers ?? []), 'Content-Length: 0', '', ''].join('\r\n'));
}
