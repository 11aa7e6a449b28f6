/**
 * Real SIP clients for Node tests: sip.js 0.21.2 UserAgents with a media-less session
 * description handler (a fixed SDP, so INVITE/200/ACK work without WebRTC), and a raw
 * WebSocket client for hand-written and malformed frames.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  Invitation,
  Inviter,
  Messager,
  Registerer,
  type InviterOptions,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
  type SessionDescriptionHandler,
  type UserAgentOptions,
} from 'sip.js';
import { WebSocket } from 'ws';

// Node 20 has no global WebSocket; sip.js's transport opens `new WebSocket(url, 'sip')`.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const FIXED_SDP = [
  'v=0',
  'o=- 0 0 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

/** Offers and answers the same fixed SDP; no media is ever sent. */
class FixedSdpHandler implements SessionDescriptionHandler {
  close(): void {}
  async getDescription() {
    return { body: FIXED_SDP, contentType: 'application/sdp' };
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  async setDescription(): Promise<void> {}
  async rollbackDescription(): Promise<void> {}
  sendDtmf(): boolean {
    return false;
  }
}

export class SipRejected extends Error {
  constructor(readonly status: number) {
    super(`SIP request rejected with ${status}`);
    this.name = 'SipRejected';
  }
}

export interface NodePhoneOptions {
  /** `ws://host:port/sip` */
  wsUrl: string;
  /** The tenant's SIP domain. */
  domain: string;
  number: string;
  /** Digest password; leave out when using a token. */
  password?: string;
  /** Softphone token; the socket is opened as `<wsUrl>?token=<token>`. */
  token?: string;
  displayName?: string;
  /** Anything else for sip.js's UserAgent (applied last, so it can override the defaults here). */
  userAgentOptions?: Partial<UserAgentOptions>;
  /**
   * Other edge nodes, in order: when its connection drops without a goodbye (the node died), the
   * phone connects to the next server (wrapping round) and registers there, as a phone with a
   * list of outbound proxies does.
   */
  failoverWsUrls?: string[];
}

/** A phone registered again after losing its edge node. */
export interface Failover {
  wsUrl: string;
  /** When the connection dropped, and when the new node accepted the REGISTER (Date.now()). */
  lostAt: number;
  registeredAt: number;
}

export interface ReceivedRequest {
  method: string;
  /** The whole message as it arrived. */
  raw: string;
}

export interface NodeCall {
  readonly inviter: Inviter;
  /** Settles with the final status: 200 when answered, else the rejection (480, 487, 403, …). */
  readonly outcome: Promise<number>;
  /** Resolves on the first 18x. */
  readonly ringing: Promise<void>;
  /** Resolves when the session is over (BYE either way, rejection, cancel). */
  readonly ended: Promise<void>;
  hangup(): Promise<void>;
  cancel(): Promise<void>;
}

export interface IncomingCall {
  readonly invitation: Invitation;
  readonly ended: Promise<void>;
  answer(): Promise<void>;
  reject(status?: number): Promise<void>;
  hangup(): Promise<void>;
}

export interface NodePhone {
  readonly aor: string;
  readonly userAgent: UserAgent;
  /** Every request this phone's UA received, in order. */
  readonly received: ReceivedRequest[];
  /** Status codes of every response this phone's UA received, in order. */
  readonly responses: number[];
  /** Every INVITE that reached this phone. */
  readonly incoming: IncomingCall[];
  start(): Promise<void>;
  /** Resolves on 200; rejects with SipRejected on a final failure. */
  register(): Promise<void>;
  unregister(): Promise<void>;
  /** `target` is a number in the phone's own domain or a full `sip:` URI; `inviterOptions` e.g. for extra headers. */
  call(target: string, inviterOptions?: InviterOptions): NodeCall;
  nextIncoming(timeoutMs?: number): Promise<IncomingCall>;
  /** Kills the WebSocket without any SIP goodbye, like a crashed tab or a lost network. */
  dropConnection(): void;
  /** Resolves when the phone has registered at another node after its connection dropped (failoverWsUrls). */
  nextFailover(timeoutMs?: number): Promise<Failover>;
  /** Stops the UA politely (sip.js sends BYE for its calls and closes the socket). */
  stop(): Promise<void>;
}

export function createNodePhone(options: NodePhoneOptions): NodePhone {
  const aor = `sip:${options.number}@${options.domain}`;
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`bad AOR ${aor}`);
  const withToken = (wsUrl: string) => (options.token ? `${wsUrl}?token=${encodeURIComponent(options.token)}` : wsUrl);
  const servers = [options.wsUrl, ...(options.failoverWsUrls ?? [])];
  let current = 0;
  const server = withToken(options.wsUrl);
  const failoverWaiters: Array<(f: Failover) => void> = [];
  const received: ReceivedRequest[] = [];
  const responses: number[] = [];
  const incoming: IncomingCall[] = [];
  const waiters: Array<(call: IncomingCall) => void> = [];

  const userAgent = new UserAgent({
    uri,
    transportOptions: { server },
    ...(options.password !== undefined ? { authorizationUsername: options.number, authorizationPassword: options.password } : {}),
    ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
    sessionDescriptionHandlerFactory: () => new FixedSdpHandler(),
    logBuiltinEnabled: false,
    logLevel: 'error',
    delegate: {
      onDisconnect(error) {
        // Only a connection the other side lost (no error when we stopped the UA ourselves).
        if (error && servers.length > 1) void failOver(Date.now());
      },
      onInvite(invitation) {
        // Ring like a real phone: 180 Ringing goes back at once.
        invitation.progress().catch(() => {});
        const call = incomingCall(invitation);
        incoming.push(call);
        const waiter = waiters.shift();
        if (waiter) waiter(call);
      },
    },
    ...options.userAgentOptions,
  });
  // Record every message the transport hands the UA before sip.js filters any of it.
  const deliver = userAgent.transport.onMessage;
  userAgent.transport.onMessage = (message: string) => {
    if (message.startsWith('SIP/2.0')) responses.push(Number(message.slice(8, 11)));
    else received.push({ method: message.slice(0, message.indexOf(' ')), raw: message });
    deliver?.(message);
  };
  let registerer: Registerer | undefined;
  const registerNow = () => {
    registerer ??= new Registerer(userAgent);
    const currentRegisterer = registerer;
    return new Promise<void>((resolve, reject) => {
      currentRegisterer
        .register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) => reject(new SipRejected(response.message.statusCode ?? 0)),
          },
        })
        .catch(reject);
    });
  };
  // The next server in the list (wrapping round), until one connects and takes the REGISTER.
  async function failOver(lostAt: number) {
    const transport = userAgent.transport as unknown as { configuration: { server: string } };
    for (let attempt = 0; attempt < servers.length * 5 && userAgent.state !== 'Stopped'; attempt++) {
      current = (current + 1) % servers.length;
      transport.configuration.server = withToken(servers[current]!);
      try {
        await userAgent.reconnect();
        await registerNow();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const failover = { wsUrl: servers[current]!, lostAt, registeredAt: Date.now() };
      failoverWaiters.splice(0).forEach((w) => w(failover));
      return;
    }
  }

  return {
    aor,
    userAgent,
    received,
    responses,
    incoming,
    start: () => userAgent.start(),
    register: registerNow,
    async unregister() {
      if (!registerer || registerer.state !== RegistererState.Registered) return;
      const current = registerer;
      await new Promise<void>((resolve, reject) => {
        current.unregister({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new SipRejected(r.message.statusCode ?? 0)) } }).catch(reject);
      });
    },
    call(target: string, inviterOptions?: InviterOptions) {
      const targetUri = UserAgent.makeURI(target.startsWith('sip:') ? target : `sip:${target}@${options.domain}`);
      if (!targetUri) throw new Error(`bad target ${target}`);
      return outgoingCall(new Inviter(userAgent, targetUri, inviterOptions));
    },
    nextIncoming(timeoutMs = 5000) {
      return withTimeout(new Promise<IncomingCall>((resolve) => waiters.push(resolve)), timeoutMs, `no INVITE reached ${aor}`);
    },
    dropConnection() {
      const socket = (userAgent.transport as unknown as { ws?: WebSocket }).ws;
      socket?.terminate();
    },
    nextFailover(timeoutMs = 10_000) {
      return withTimeout(new Promise<Failover>((resolve) => failoverWaiters.push(resolve)), timeoutMs, `${aor} did not register at another node`);
    },
    async stop() {
      // A socket the edge closes (suspension, a deleted extension), even one still closing, leaves
      // nobody to unregister from: sip.js would wait out Timer F (32 s) for an answer that cannot come.
      const socket = (userAgent.transport as unknown as { ws?: WebSocket }).ws;
      const gone = new Promise<void>((resolve) => {
        if (!socket || socket.readyState === socket.CLOSED) resolve();
        else socket.once('close', () => resolve());
      });
      await Promise.race([userAgent.stop().catch(() => {}), gone]);
    },
  };
}

function endedPromise(session: Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.state === SessionState.Terminated) return resolve();
    session.stateChange.addListener((state) => {
      if (state === SessionState.Terminated) resolve();
    });
  });
}

function outgoingCall(inviter: Inviter): NodeCall {
  let settle!: (status: number) => void;
  let ring!: () => void;
  const outcome = new Promise<number>((resolve) => (settle = resolve));
  const ringing = new Promise<void>((resolve) => (ring = resolve));
  inviter
    .invite({
      requestDelegate: {
        onProgress: (response) => {
          if ((response.message.statusCode ?? 0) >= 180) ring();
        },
        onAccept: (response) => settle(response.message.statusCode ?? 0),
        onReject: (response) => settle(response.message.statusCode ?? 0),
      },
    })
    .catch(() => settle(0));
  return {
    inviter,
    outcome,
    ringing,
    ended: endedPromise(inviter),
    async hangup() {
      await inviter.bye();
    },
    async cancel() {
      await inviter.cancel();
    },
  };
}

function incomingCall(invitation: Invitation): IncomingCall {
  return {
    invitation,
    ended: endedPromise(invitation),
    answer: () => invitation.accept(),
    reject: (status = 486) => invitation.reject({ statusCode: status }),
    async hangup() {
      await invitation.bye();
    },
  };
}

/** The close code and reason of a phone's WebSocket, whenever it closes. */
export function socketClosed(p: NodePhone): Promise<{ code: number; reason: string }> {
  const socket = (p.userAgent.transport as unknown as { ws: import('ws').WebSocket }).ws;
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Raw frames

export interface RawSip {
  readonly socket: WebSocket;
  /** Every frame received, as text. */
  readonly frames: string[];
  /** The negotiated subprotocol. */
  readonly protocol: string;
  /** Resolves with the close code and reason whenever the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(frame: string | Buffer, options?: { binary?: boolean }): void;
  /** The next frame (after any already read) that matches `predicate`. */
  next(predicate?: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Opens a WebSocket to the edge; resolves once open (or once closed, so `closed` can be checked). */
export async function openRawSip(wsUrl: string, options: { protocols?: string[]; localAddress?: string } = {}): Promise<RawSip> {
  // `localAddress` (any of 127.0.0.0/8 on loopback) lets a test be several source addresses at once.
  const socket = new WebSocket(wsUrl, options.protocols ?? ['sip'], options.localAddress ? { localAddress: options.localAddress } : {});
  const frames: string[] = [];
  let read = 0;
  const listeners = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  socket.on('message', (data) => {
    frames.push(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    for (const listener of listeners) listener();
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    void closed.then(() => resolve());
  });
  return {
    socket,
    frames,
    protocol: socket.protocol,
    closed,
    send(frame, sendOptions = {}) {
      socket.send(frame, { binary: sendOptions.binary ?? false });
    },
    next(predicate = () => true, timeoutMs = 3000) {
      return withTimeout(
        new Promise<string>((resolve) => {
          const check = () => {
            while (read < frames.length) {
              const frame = frames[read++]!;
              if (predicate(frame)) {
                listeners.delete(check);
                return resolve(frame);
              }
            }
          };
          listeners.add(check);
          check();
        }),
        timeoutMs,
        'no matching SIP frame arrived',
      );
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
}

export interface RawRequestOptions {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId?: string;
  cseq?: number;
  branch?: string;
  /** Extra header lines, e.g. `Contact: <sip:x@y.invalid;transport=ws>`. */
  headers?: string[];
  body?: string;
}

/** A well-formed request frame with its Content-Length in bytes. */
export function rawRequest(options: RawRequestOptions): string {
  const body = options.body ?? '';
  return [
    `${options.method} ${options.uri} SIP/2.0`,
    `Via: SIP/2.0/WS raw.invalid;branch=${options.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`}`,
    'Max-Forwards: 70',
    `From: <${options.from}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <${options.to}>`,
    `Call-ID: ${options.callId ?? randomBytes(8).toString('hex')}`,
    `CSeq: ${options.cseq ?? 1} ${options.method}`,
    ...(options.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The status code of a response frame, or undefined for a request. */
export function statusOf(frame: string): number | undefined {
  const match = /^SIP\/2\.0 (\d{3}) /.exec(frame);
  return match ? Number(match[1]) : undefined;
}

/** A header's value in a raw frame (first occurrence, case-insensitive). */
export function headerOf(frame: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(frame);
  return match?.[1]?.trim();
}

/** A UA's response to a raw request frame: Via, From, To (with `toTag` added), Call-ID and CSeq copied. */
export function rawResponse(request: string, status: number, options: { toTag?: string; headers?: string[]; body?: string } = {}): string {
  const head = request.slice(0, request.indexOf('\r\n\r\n')).split('\r\n').slice(1);
  const copied = head
    .filter((line) => /^(via|from|to|call-id|cseq):/i.test(line))
    .map((line) => (options.toTag && /^to:/i.test(line) && !/;tag=/i.test(line) ? `${line};tag=${options.toTag}` : line));
  const body = options.body ?? '';
  return [`SIP/2.0 ${status} Whatever`, ...copied, ...(options.headers ?? []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** One side of a dialog set up with raw frames: what its in-dialog requests carry. */
export interface RawDialog {
  callId: string;
  /** This side's From value, tag included. */
  from: string;
  /** The other side's To value, tag included. */
  to: string;
  /** Request-URI of in-dialog requests: the other side's Contact. */
  target: string;
  cseq: number;
}

/** The dialog a 2xx answering `invite` (both raw frames, as the caller saw them) creates for the caller. */
export function rawDialogOf(invite: string, ok: string): RawDialog {
  const contact = /<([^>]+)>/.exec(headerOf(ok, 'Contact') ?? '')?.[1] ?? '';
  return { callId: headerOf(invite, 'Call-ID')!, from: headerOf(invite, 'From')!, to: headerOf(ok, 'To')!, target: contact, cseq: Number(headerOf(invite, 'CSeq')!.split(' ')[0]) };
}

/**
 * An in-dialog request. `branch: null` leaves the Via without a branch (malformed); `cseq` defaults to
 * the next one (ACK reuses the INVITE's); `uri` and `headers` let a test send what a hostile UA would.
 */
export function rawInDialog(
  dialog: RawDialog,
  method: string,
  options: { branch?: string | null; cseq?: number; uri?: string; from?: string; headers?: string[]; body?: string } = {},
): string {
  const cseq = options.cseq ?? (method === 'ACK' ? dialog.cseq : ++dialog.cseq);
  const branch = options.branch === null ? '' : `;branch=${options.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`}`;
  const body = options.body ?? '';
  return [
    `${method} ${options.uri ?? dialog.target} SIP/2.0`,
    `Via: SIP/2.0/WS raw.invalid${branch}`,
    'Max-Forwards: 70',
    `From: ${options.from ?? dialog.from}`,
    `To: ${dialog.to}`,
    `Call-ID: ${dialog.callId}`,
    `CSeq: ${cseq} ${method}`,
    ...(options.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/**
 * The header answering a digest `challenge` (qop=auth, nc 1, a fresh cnonce), as a phone computes
 * it; `header` is `Authorization` for a 401 and `Proxy-Authorization` for a 407.
 */
export function digestAuthorization(challenge: string, options: { username: string; password: string; method: string; uri: string }, header = 'Authorization'): string {
  const realm = /realm="([^"]*)"/.exec(challenge)![1]!;
  const nonce = /nonce="([^"]*)"/.exec(challenge)![1]!;
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = md5(`${options.username}:${realm}:${options.password}`);
  const ha2 = md5(`${options.method}:${options.uri}`);
  const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
  return `${header}: Digest username="${options.username}", realm="${realm}", nonce="${nonce}", uri="${options.uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
}

/** `phone` sends a MESSAGE to `target` (a SIP URI): the final status of the answer. */
export function sendMessage(phone: NodePhone, target: string, body: string): Promise<number> {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad target ${target}`);
  return new Promise<number>((resolve, reject) => {
    new Messager(phone.userAgent, uri, body)
      .message({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } })
      .catch(reject);
  });
}
