/**
 * The edge's SIP logic: registrar and stateful proxy between WebSocket connections. Every
 * request is routed inside the caller's tenant; in-dialog requests only travel along dialogs the
 * edge saw being created, between the two connections that created them.
 */
import { Authenticator, type SipIdentity } from './authenticator';
import { CallTracker, type LiveCall } from './calls';
import { randomToken, SipConnection } from './connection';
import { DialogTable } from './dialogs';
import { DigestAuthority } from './digest';
import type { DialResolution, SipDirectory } from '../domain/sip-directory-contract';
import { bestFailure, type Fork, type ForkMember } from './forking';
import { parseFrame } from './framing';
import { parseContacts, parseCSeq, parseNameAddr, parseUri, parseVia, tagOf } from './header-values';
import {
  header,
  headers,
  prependHeader,
  REASONS,
  removeFirstHeader,
  responseTo,
  setHeader,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from './message';
import { MAX_EXPIRES_SECONDS, Registrar } from './registrar';
import { TrunkAuthenticator, trunkAor, type TrunkAuthOutcome, type TrunkIdentity } from './trunk-auth';
import { ALLOW, OUT_OF_DIALOG } from './methods';

const DEFAULT_EXPIRES = 3600;
/** Timer B/F: no answer at all from the next hop. */
const NO_RESPONSE_MS = 32_000;
/** Timer C: a ringing INVITE is given up after this long. */
const RINGING_MS = 180_000;
/** How long a finished INVITE transaction is kept to pass 2xx retransmissions and absorb ACKs. */
const LINGER_MS = 32_000;
/** Per-connection cap that keeps a misbehaving client from growing the edge's memory. */
const MAX_TRANSACTIONS_PER_CONNECTION = 128;
/** Timer H: a 2xx never ACKed leaves a dialog nobody confirmed; its channel comes back after this. */
const ACK_WAIT_MS = 32_000;

export interface SipTimers {
  /** How long an answered call waits for its ACK (default 32 s). */
  ackTimeoutMs?: number | undefined;
}

interface Transaction {
  /** Our branch on the forwarded request; the key in `transactions`. */
  branch: string;
  /** `connection id\nclient branch\nmethod`, the key in `byUpstream` (CANCEL and ACK matching). */
  upstreamKey: string;
  method: string;
  upstream: SipConnection;
  downstream: SipConnection;
  received: SipRequest;
  forwarded: SipRequest;
  final: number | undefined;
  cancelled: boolean;
  /** Dialog the request was sent in (BYE ends it), or dialogs its responses created. */
  dialogKeys: Set<string>;
  timer: NodeJS.Timeout | undefined;
  /** The call an out-of-dialog INVITE started; it ends with the transaction's final response. */
  call: LiveCall | undefined;
  /** A branch of a ring group call: its responses go through the fork, not straight upstream. */
  fork?: Fork | undefined;
  member?: string | undefined;
  /** The caller's own From, put back on responses when the edge presented another caller id. */
  restoreFrom?: string | undefined;
}

export class SipRouter {
  readonly registrar = new Registrar<SipConnection>();
  readonly edgeHost = `edge-${randomToken(4)}.invalid`;
  readonly #directory: SipDirectory;
  readonly #auth: Authenticator;
  readonly #trunks: TrunkAuthenticator;
  /** Ring group calls by the caller's transaction key, until their final response has lingered. */
  readonly #forks = new Map<string, Fork>();
  readonly #digest = new DigestAuthority();
  readonly #log: (line: string) => void;
  readonly #transactions = new Map<string, Transaction>();
  readonly #byUpstream = new Map<string, Transaction>();
  readonly #dialogs = new DialogTable();
  /** Answered calls by the dialog their 2xx created, until BYE, socket loss or a missing ACK ends them. */
  readonly #callsByDialog = new Map<string, LiveCall>();
  readonly calls: CallTracker;
  readonly #ackTimeoutMs: number;

  constructor(directory: SipDirectory, log: (line: string) => void, timers: SipTimers = {}) {
    this.#ackTimeoutMs = timers.ackTimeoutMs ?? ACK_WAIT_MS;
    this.#directory = directory;
    this.#log = log;
    this.#auth = new Authenticator(directory, this.#digest);
    this.#trunks = new TrunkAuthenticator(directory, this.#digest);
    this.calls = new CallTracker(directory, log);
  }

  get recordRoute(): string {
    return `<sip:${this.edgeHost};transport=ws;lr>`;
  }

  handleFrame(connection: SipConnection, frame: Buffer): void {
    if (/^[\r\n]+$/.test(frame.toString('latin1'))) {
      // RFC 5626 keep-alive: a double CRLF ping is answered with a single CRLF pong.
      if (frame.length >= 4) connection.sendRaw('\r\n');
      return;
    }
    const parsed = parseFrame(frame);
    if (!parsed.ok) {
      this.#log(`sip: ${parsed.problem} from ${connection.id}`);
      if (parsed.request && parsed.request.method !== 'ACK') {
        const warning = { name: 'warning', value: `399 ${this.edgeHost} "${parsed.problem}"` };
        connection.send(responseTo(parsed.request, parsed.status, REASONS[parsed.status]!, { toTag: randomToken(), headers: [warning] }));
      }
      return;
    }
    if (parsed.message.kind === 'response') this.#onResponse(connection, parsed.message);
    else this.#onRequest(connection, parsed.message);
  }

  connectionClosed(connection: SipConnection): void {
    connection.closed = true;
    this.registrar.dropConnection(connection);
    for (const branch of connection.receivedTransactions) {
      const transaction = this.#transactions.get(branch);
      if (!transaction) continue;
      if (transaction.fork) {
        // One member of a ring group went away: the group rings on without it.
        if (transaction.final === undefined) this.#branchEnded(transaction, 480, false);
        else this.#forget(transaction);
        continue;
      }
      // The callee went away mid-transaction: the caller hears it at once instead of waiting.
      if (transaction.final === undefined) {
        this.#respondUpstream(transaction, transaction.method === 'INVITE' ? 480 : 408);
      }
      this.#forget(transaction);
    }
    for (const branch of connection.sentTransactions) {
      const transaction = this.#transactions.get(branch);
      if (!transaction) continue;
      if (transaction.method === 'INVITE' && transaction.final === undefined) {
        const fork = transaction.fork;
        if (fork && !fork.done) {
          fork.cancelled = true;
          if (fork.call) fork.call.cancelled = true;
          this.#forkFail(fork, 487);
        }
        this.#cancelDownstream(transaction);
        if (transaction.call) this.calls.end(transaction.call, 'cancelled', undefined);
      }
      this.#forget(transaction);
    }
    for (const key of connection.dialogs) {
      const dialog = this.#dialogs.get(key);
      // The other side hears a BYE instead of silence forever.
      const bye = dialog?.confirmed ? this.#dialogs.byeOnBehalfOf(dialog, connection, this.#via()) : undefined;
      bye?.to.send(bye.request);
      this.#dialogs.end(key);
      this.#endAnsweredCall(key);
    }
  }

  close(): void {
    // Calls in progress still get their records before the store closes.
    this.calls.close();
    this.#callsByDialog.clear();
    for (const fork of this.#forks.values()) clearTimeout(fork.timer);
    this.#forks.clear();
    for (const transaction of this.#transactions.values()) clearTimeout(transaction.timer);
    this.#transactions.clear();
    this.#byUpstream.clear();
    this.#dialogs.clear();
    this.registrar.clear();
  }

  // ---- requests ----

  #onRequest(connection: SipConnection, request: SipRequest): void {
    const maxForwards = header(request, 'max-forwards');
    if (maxForwards !== undefined && !/^\d{1,3}$/.test(maxForwards)) return this.#reply(connection, request, 400);
    if (maxForwards !== undefined && Number(maxForwards) === 0 && request.method !== 'ACK') return this.#reply(connection, request, 483);
    this.#popOwnRoutes(request);

    switch (request.method) {
      case 'REGISTER':
        return this.#onRegister(connection, request);
      case 'CANCEL':
        return this.#onCancel(connection, request);
      case 'ACK':
        return this.#onAck(connection, request);
    }
    if (tagOf(header(request, 'to')) !== undefined) return this.#onInDialog(connection, request);
    if (request.method === 'OPTIONS' && !parseUri(request.uri)?.user) {
      return this.#reply(connection, request, 200, [{ name: 'allow', value: ALLOW }]);
    }
    if (!OUT_OF_DIALOG.has(request.method)) {
      if (request.method === 'BYE') return this.#reply(connection, request, 481);
      return this.#reply(connection, request, 405, [{ name: 'allow', value: ALLOW }]);
    }
    const trunk = this.#identifyTrunk(connection, request);
    if (trunk === 'answered') return;
    if (trunk) return this.#routeFromTrunk(connection, request, trunk);
    const identity = this.#identify(connection, request);
    if (identity) this.#route(connection, request, identity);
  }

  /**
   * A request from a carrier: the trunk that registered this connection, or digest credentials of a
   * trunk on the request itself. `undefined` when the request is not a trunk's; `'answered'` when
   * it was challenged or refused.
   */
  #identifyTrunk(connection: SipConnection, request: SipRequest): TrunkIdentity | 'answered' | undefined {
    const bound = this.#trunks.boundTo(connection);
    if (bound === 'revoked') {
      this.#log(`sip: ${request.method} refused (trunk deleted or tenant suspended) on ${connection.id}`);
      this.#reply(connection, request, 403);
      return 'answered';
    }
    if (bound) return bound;
    return this.#answerTrunkAuth(connection, request, this.#trunks.authenticate(connection, request));
  }

  #answerTrunkAuth(connection: SipConnection, request: SipRequest, outcome: TrunkAuthOutcome): TrunkIdentity | 'answered' | undefined {
    switch (outcome.kind) {
      case 'not_trunk':
        return undefined;
      case 'ok':
        return outcome.identity;
      case 'challenge': {
        const registering = request.method === 'REGISTER';
        const value = this.#digest.challenge(outcome.realm, outcome.stale, connection);
        this.#reply(connection, request, registering ? 401 : 407, [{ name: registering ? 'www-authenticate' : 'proxy-authenticate', value }]);
        return 'answered';
      }
      case 'refused':
        this.#log(`sip: trunk ${request.method} refused (${outcome.problem}) on ${connection.id}`);
        this.#reply(connection, request, outcome.status);
        return 'answered';
    }
  }

  /** Authenticates a request, answering it (challenge or refusal) when that fails. */
  #identify(connection: SipConnection, request: SipRequest): SipIdentity | undefined {
    const outcome = this.#auth.authenticate(connection, request);
    if (outcome.ok) return outcome.identity;
    if ('challenge' in outcome) {
      const registering = request.method === 'REGISTER';
      const value = this.#digest.challenge(outcome.challenge.realm, outcome.challenge.stale, connection);
      this.#reply(connection, request, registering ? 401 : 407, [
        { name: registering ? 'www-authenticate' : 'proxy-authenticate', value },
      ]);
    } else {
      this.#log(`sip: ${request.method} refused (${outcome.problem}) on ${connection.id}`);
      this.#reply(connection, request, outcome.status);
    }
    return undefined;
  }

  #onRegister(connection: SipConnection, request: SipRequest): void {
    const contacts = parseContacts(headers(request, 'contact'));
    const expiresHeader = header(request, 'expires');
    if (!contacts || (expiresHeader !== undefined && !/^\d{1,10}$/.test(expiresHeader))) {
      return this.#reply(connection, request, 400);
    }
    let tenant: SipIdentity['tenant'];
    let number: string;
    // Every REGISTER carries its own credentials, a trunk's refresh included.
    const trunk = this.#answerTrunkAuth(connection, request, this.#trunks.authenticate(connection, request));
    if (trunk === 'answered') return;
    if (trunk !== undefined) {
      const identity = trunk;
      this.#trunks.bind(connection, identity);
      tenant = identity.tenant;
      // Registered under a key no extension number can take, so a trunk never receives extension calls.
      number = trunkAor(identity.trunk.trunkId);
    } else {
      const identity = this.#identify(connection, request);
      if (!identity) return;
      ({ tenant, number } = identity);
    }

    const defaultExpires = expiresHeader === undefined ? DEFAULT_EXPIRES : Number(expiresHeader);
    if (contacts === '*') {
      if (defaultExpires !== 0) return this.#reply(connection, request, 400);
      this.registrar.unbindAll(tenant.id, number);
    } else {
      for (const contact of contacts) {
        // A token-bound registration never outlives its token.
        const expires = Math.min(contact.expires ?? defaultExpires, MAX_EXPIRES_SECONDS, connection.tokenSecondsLeft() ?? Infinity);
        const uri = contact.uri.toString();
        if (expires === 0) this.registrar.unbind(tenant.id, number, uri);
        else if (!this.registrar.bind(tenant.id, number, uri, connection, expires)) return this.#reply(connection, request, 503);
      }
    }
    const now = Date.now();
    const bound = this.registrar.bindings(tenant.id, number).map((binding) => ({
      name: 'contact',
      value: `<${binding.contact}>;expires=${Math.max(0, Math.round((binding.expiresAt - now) / 1000))}`,
    }));
    this.#reply(connection, request, 200, bound);
  }

  /** An out-of-dialog request from an authenticated caller: find the callee inside the caller's tenant. */
  #route(connection: SipConnection, request: SipRequest, caller: SipIdentity): void {
    const branch = parseVia(header(request, 'via')!)?.branch;
    // A retransmission of a request already under way starts nothing new (and takes no channel).
    if (branch && this.#isUnderWay(`${connection.id}\n${branch}\n${request.method}`)) return;
    const target = parseUri(request.uri);
    const tenantId = caller.tenant.id;
    const callId = header(request, 'call-id')!;
    const inviting = request.method === 'INVITE';
    // Another tenant's domain, or any domain that is not the caller's: refused, never forwarded.
    if (!target || target.host.toLowerCase() !== caller.tenant.sipDomain.toLowerCase()) {
      if (inviting) this.calls.refuse(tenantId, callId, caller.number, target ? `${target.user ?? ''}@${target.host}` : request.uri, 'rejected', 403);
      return this.#reply(connection, request, 403);
    }
    if (inviting) {
      const grant = this.calls.begin(tenantId, callId, caller.number, target.user ?? '');
      if (!grant.ok) return this.#refuseOverLimit(connection, request, `channel limit reached (${grant.limit})`);
      const dialled = target.user ?? '';
      let resolution: DialResolution;
      try {
        resolution = this.#resolveDial(tenantId, dialled, caller.number, request);
      } catch (error) {
        this.#log(`sip: dial plan of ${tenantId} failed for ${dialled}: ${error instanceof Error ? error.message : String(error)}`);
        this.calls.finish(grant.call, 500);
        return this.#reply(connection, request, 500);
      }
      return this.#deliver(connection, request, { tenantId, tenant: caller.tenant, callerNumber: caller.number }, resolution, grant.call);
    }
    // MESSAGE and OPTIONS reach extensions only; a message for a group or a trunk has nowhere to go.
    if (request.method === 'MESSAGE') {
      const grant = this.calls.allowMessage(tenantId);
      if (!grant.ok) return this.#refuseOverLimit(connection, request, `message limit reached (${grant.limit} per minute)`);
    }
    if (!target.user || !this.#directory.user(tenantId, target.user)) return this.#reply(connection, request, 404);
    const binding = this.registrar.target(tenantId, target.user);
    if (!binding) return this.#reply(connection, request, 480);
    this.#forward(connection, request, binding.connection, { uri: binding.contact, recordRoute: false });
  }

  #isUnderWay(upstreamKey: string): boolean {
    return this.#byUpstream.has(upstreamKey) || this.#forks.has(upstreamKey);
  }

  /**
   * The tenant's dial plan for a dialled string (dial rules, extensions, ring groups, own DIDs);
   * a directory without the dial plan hooks knows extensions only.
   */
  #resolveDial(tenantId: string, dialled: string, callerNumber: string, request: SipRequest): DialResolution {
    if (this.#directory.resolveDial) {
      return this.#directory.resolveDial(tenantId, dialled, { extension: callerNumber, callerId: askedCallerId(request) });
    }
    return dialled && this.#directory.user(tenantId, dialled) ? { kind: 'extension', number: dialled } : { kind: 'not_found' };
  }

  /** An INVITE from a carrier for one of the platform's DIDs: only the trunk's own tenant's numbers. */
  #routeFromTrunk(connection: SipConnection, request: SipRequest, identity: TrunkIdentity): void {
    if (request.method !== 'INVITE') return this.#reply(connection, request, 405, [{ name: 'allow', value: 'INVITE, ACK, BYE, CANCEL' }]);
    const branch = parseVia(header(request, 'via')!)?.branch;
    if (branch && this.#isUnderWay(`${connection.id}\n${branch}\nINVITE`)) return;
    const dialled = parseUri(request.uri)?.user ?? '';
    const from = parseNameAddr(header(request, 'from') ?? '')?.uri.user ?? '';
    const callId = header(request, 'call-id')!;
    const inbound = dialled ? this.#directory.resolveInboundDid?.(dialled) : undefined;
    // Another tenant's number looks exactly like a number nobody holds.
    if (!inbound || inbound.tenantId !== identity.tenant.id) {
      this.calls.refuse(identity.tenant.id, callId, from, dialled, 'failed', 404, 'inbound');
      return this.#reply(connection, request, 404);
    }
    const grant = this.calls.begin(inbound.tenantId, callId, from, inbound.number, 'inbound');
    if (!grant.ok) return this.#refuseOverLimit(connection, request, `channel limit reached (${grant.limit})`);
    this.#deliver(connection, request, { tenantId: inbound.tenantId, tenant: identity.tenant, callerNumber: undefined }, inbound.destination, grant.call);
  }

  /** Carries out a dial plan decision for an INVITE whose call already holds a channel. */
  #deliver(
    connection: SipConnection,
    request: SipRequest,
    origin: { tenantId: string; tenant: SipIdentity['tenant']; callerNumber: string | undefined },
    resolution: DialResolution,
    call: LiveCall,
  ): void {
    const { tenantId } = origin;
    const fail = (status: number, reason?: string) => {
      this.calls.finish(call, status);
      this.#reply(connection, request, status, reason ? [{ name: 'reason', value: `SIP;cause=${status};text="${quoted(reason)}"` }] : []);
    };
    switch (resolution.kind) {
      case 'not_found':
        return fail(404);
      case 'reject':
        return fail(resolution.status, resolution.reason);
      case 'extension': {
        const binding = this.registrar.target(tenantId, resolution.number);
        if (!binding) return fail(480);
        this.#reply(connection, request, 100);
        return this.#forward(connection, request, binding.connection, { uri: binding.contact, recordRoute: true, call });
      }
      case 'ring_group':
        return this.#startFork(connection, request, tenantId, origin.callerNumber, resolution, call);
      case 'trunk': {
        if (call.direction === 'internal') call.direction = 'outbound';
        const binding = this.registrar.target(tenantId, trunkAor(resolution.trunkId));
        if (!binding) return fail(480, 'trunk not registered');
        this.#reply(connection, request, 100);
        const presented = `sip:${resolution.callerId}@${origin.tenant.sipDomain}`;
        return this.#forward(connection, request, binding.connection, {
          uri: withUser(binding.contact, resolution.dialString),
          recordRoute: true,
          call,
          present: presented,
        });
      }
    }
  }

  /** 403 with a Reason naming the limit, so a phone (and its user) can tell it from a refusal. */
  #refuseOverLimit(connection: SipConnection, request: SipRequest, text: string): void {
    this.#log(`sip: ${request.method} refused on ${connection.id}: ${text}`);
    this.#reply(connection, request, 403, [{ name: 'reason', value: `SIP;cause=403;text="${text}"` }]);
  }

  #endAnsweredCall(dialogKey: string): void {
    const call = this.#callsByDialog.get(dialogKey);
    if (!call) return;
    this.#callsByDialog.delete(dialogKey);
    this.calls.end(call, 'answered', 200);
  }

  /** Timer H for the edge: the caller never ACKed the 2xx, so neither side holds a real call. */
  #unconfirmed(call: LiveCall): void {
    const dialog = call.dialogKey ? this.#dialogs.get(call.dialogKey) : undefined;
    if (dialog) {
      for (const gone of [dialog.caller, dialog.callee]) {
        const bye = this.#dialogs.byeOnBehalfOf(dialog, gone, this.#via());
        bye?.to.send(bye.request);
      }
      this.#dialogs.end(dialog.key);
    }
    if (call.dialogKey) this.#callsByDialog.delete(call.dialogKey);
    this.calls.end(call, 'failed', 408);
  }

  #onInDialog(connection: SipConnection, request: SipRequest): void {
    const dialog = this.#dialogs.find(connection, request);
    if (!dialog) return this.#reply(connection, request, 481);
    const peer = dialog.caller === connection ? dialog.callee : dialog.caller;
    if (peer.closed) return this.#reply(connection, request, 480);
    this.#dialogs.noteRequest(dialog, connection, request);
    // The channel comes back as soon as either side hangs up, whatever becomes of the BYE.
    if (request.method === 'BYE') this.#endAnsweredCall(dialog.key);
    this.#forward(connection, request, peer, { uri: request.uri, recordRoute: false, dialogKey: dialog.key });
  }

  #onCancel(connection: SipConnection, request: SipRequest): void {
    const branch = parseVia(header(request, 'via')!)?.branch;
    const fork = branch ? this.#forks.get(`${connection.id}\n${branch}\nINVITE`) : undefined;
    if (fork) {
      this.#reply(connection, request, 200);
      if (!fork.done) {
        fork.cancelled = true;
        if (fork.call) fork.call.cancelled = true;
        this.#forkFail(fork, 487);
      }
      return;
    }
    const transaction = branch && this.#byUpstream.get(`${connection.id}\n${branch}\nINVITE`);
    if (!transaction) return this.#reply(connection, request, 481);
    // CANCEL is hop by hop: answered here, and a CANCEL of our own goes to the callee.
    this.#reply(connection, request, 200);
    if (transaction.final === undefined) {
      if (transaction.call) transaction.call.cancelled = true;
      this.#cancelDownstream(transaction);
    }
  }

  #onAck(connection: SipConnection, request: SipRequest): void {
    const branch = parseVia(header(request, 'via')!)?.branch;
    const transaction = branch ? this.#byUpstream.get(`${connection.id}\n${branch}\nINVITE`) : undefined;
    // ACK of a non-2xx final response ends at this hop; the callee got our own ACK already.
    if (transaction && transaction.final !== undefined && transaction.final >= 300) return;
    const dialog = this.#dialogs.find(connection, request);
    if (!dialog) return;
    const call = this.#callsByDialog.get(dialog.key);
    if (call && dialog.caller === connection) {
      call.acked = true;
      clearTimeout(call.ackTimer);
    }
    const peer = dialog.caller === connection ? dialog.callee : dialog.caller;
    const ack = this.#copyForNextHop(request, request.uri, `z9hG4bK${randomToken()}`, false);
    peer.send(ack);
  }

  // ---- responses ----

  #onResponse(connection: SipConnection, response: SipResponse): void {
    const via = parseVia(header(response, 'via')!);
    const cseq = parseCSeq(header(response, 'cseq')!)!;
    const transaction = via?.branch && via.host === this.edgeHost ? this.#transactions.get(via.branch) : undefined;
    // Only the connection a request went to may answer it; answers to our own CANCELs end here.
    if (!transaction || transaction.downstream !== connection || cseq.method !== transaction.method) return;
    if (transaction.fork) return this.#onBranchResponse(transaction, transaction.fork, response);
    if (response.status === 100) return this.#arm(transaction, RINGING_MS);
    // The caller sees its own From again, whatever caller id the next hop was shown.
    if (transaction.restoreFrom !== undefined) setHeader(response, 'from', transaction.restoreFrom);
    if (transaction.final !== undefined && !(transaction.method === 'INVITE' && response.status < 300 && response.status >= 200)) return;

    removeFirstHeader(response, 'via');
    const toTag = tagOf(header(response, 'to'));
    if (transaction.method === 'INVITE' && toTag && response.status < 300 && transaction.dialogKeys.size < 8) {
      const key = this.#dialogs.open(transaction.upstream, transaction.downstream, transaction.received, response);
      if (key) transaction.dialogKeys.add(key);
      const call = transaction.call;
      if (key && call && response.status >= 200 && !call.ended && call.dialogKey === undefined) {
        this.calls.answer(call);
        call.dialogKey = key;
        this.#callsByDialog.set(key, call);
        call.ackTimer = setTimeout(() => this.#unconfirmed(call), this.#ackTimeoutMs).unref();
      }
    }
    if (response.status < 200) {
      this.#arm(transaction, RINGING_MS);
    } else if (transaction.final === undefined) {
      transaction.final = response.status;
      if (transaction.method === 'INVITE') {
        if (response.status >= 300) {
          this.#ackDownstream(transaction, response);
          for (const key of transaction.dialogKeys) this.#dialogs.end(key);
          if (transaction.call) this.calls.finish(transaction.call, response.status);
        }
        this.#arm(transaction, LINGER_MS, () => this.#forget(transaction));
      } else {
        if (transaction.method === 'BYE') for (const key of transaction.dialogKeys) this.#dialogs.end(key);
        this.#forget(transaction);
      }
    }
    transaction.upstream.send(response);
  }

  // ---- forwarding ----

  #forward(
    upstream: SipConnection,
    request: SipRequest,
    downstream: SipConnection,
    options: { uri: string; recordRoute: boolean; dialogKey?: string; call?: LiveCall | undefined; present?: string },
  ): void {
    const refuse = (status: number) => {
      if (options.call) this.calls.finish(options.call, status);
      this.#reply(upstream, request, status);
    };
    const clientBranch = parseVia(header(request, 'via')!)?.branch;
    if (!clientBranch) return refuse(400);
    const upstreamKey = `${upstream.id}\n${clientBranch}\n${request.method}`;
    if (this.#byUpstream.has(upstreamKey)) return; // a retransmission: the transaction is under way
    if (upstream.sentTransactions.size >= MAX_TRANSACTIONS_PER_CONNECTION) return refuse(503);

    const branch = `z9hG4bK${randomToken()}`;
    const forwarded = this.#copyForNextHop(request, options.uri, branch, options.recordRoute);
    const from = header(request, 'from')!;
    if (options.present) presentCallerId(forwarded, options.present);
    const transaction: Transaction = {
      branch,
      upstreamKey,
      method: request.method,
      upstream,
      downstream,
      received: request,
      forwarded,
      final: undefined,
      cancelled: false,
      dialogKeys: new Set(options.dialogKey ? [options.dialogKey] : []),
      timer: undefined,
      call: options.call,
      restoreFrom: options.present ? from : undefined,
    };
    this.#transactions.set(branch, transaction);
    this.#byUpstream.set(upstreamKey, transaction);
    upstream.sentTransactions.add(branch);
    downstream.receivedTransactions.add(branch);
    this.#arm(transaction, NO_RESPONSE_MS);
    downstream.send(forwarded);
  }

  #copyForNextHop(request: SipRequest, uri: string, branch: string, recordRoute: boolean): SipRequest {
    // Proxy credentials are for this hop only; forwarded, the callee could replay them as the caller.
    const copy: SipRequest = { ...request, uri, headers: request.headers.filter((h) => h.name !== 'proxy-authorization').map((h) => ({ ...h })) };
    const maxForwards = header(request, 'max-forwards');
    setHeader(copy, 'max-forwards', String(maxForwards === undefined ? 70 : Number(maxForwards) - 1));
    prependHeader(copy, 'via', this.#via(branch));
    if (recordRoute) prependHeader(copy, 'record-route', this.recordRoute);
    return copy;
  }

  #popOwnRoutes(request: SipRequest): void {
    for (;;) {
      const top = header(request, 'route');
      if (top === undefined || parseNameAddr(top)?.uri.host.toLowerCase() !== this.edgeHost) return;
      removeFirstHeader(request, 'route');
    }
  }

  #cancelDownstream(transaction: Transaction): void {
    if (transaction.cancelled) return;
    transaction.cancelled = true;
    const invite = transaction.forwarded;
    const seq = parseCSeq(header(invite, 'cseq')!)!.seq;
    const keep = ['from', 'to', 'call-id', 'route'];
    transaction.downstream.send({
      kind: 'request',
      method: 'CANCEL',
      uri: invite.uri,
      headers: [
        { name: 'via', value: this.#via(transaction.branch) },
        { name: 'max-forwards', value: '70' },
        ...invite.headers.filter((h) => keep.includes(h.name)),
        { name: 'cseq', value: `${seq} CANCEL` },
      ],
      body: Buffer.alloc(0),
    });
  }

  /** The ACK a stateful proxy sends itself for a non-2xx final response (RFC 3261 17.1.1.3). */
  #ackDownstream(transaction: Transaction, response: SipResponse): void {
    const invite = transaction.forwarded;
    const seq = parseCSeq(header(invite, 'cseq')!)!.seq;
    transaction.downstream.send({
      kind: 'request',
      method: 'ACK',
      uri: invite.uri,
      headers: [
        { name: 'via', value: this.#via(transaction.branch) },
        { name: 'max-forwards', value: '70' },
        ...invite.headers.filter((h) => h.name === 'from' || h.name === 'call-id' || h.name === 'route'),
        { name: 'to', value: header(response, 'to')! },
        { name: 'cseq', value: `${seq} ACK` },
      ],
      body: Buffer.alloc(0),
    });
  }

  #via(branch = `z9hG4bK${randomToken()}`): string {
    return `SIP/2.0/WS ${this.edgeHost};branch=${branch}`;
  }

  #respondUpstream(transaction: Transaction, status: number): void {
    transaction.final = status;
    if (transaction.call) this.calls.finish(transaction.call, status);
    this.#reply(transaction.upstream, transaction.received, status);
  }

  /** (Re)starts the transaction's timer; by default a silent next hop yields 408 and a CANCEL. */
  #arm(transaction: Transaction, ms: number, onExpiry?: () => void): void {
    clearTimeout(transaction.timer);
    transaction.timer = setTimeout(
      onExpiry ??
        (() => {
          if (transaction.method === 'INVITE') this.#cancelDownstream(transaction);
          this.#respondUpstream(transaction, 408);
          this.#forget(transaction);
        }),
      ms,
    ).unref();
  }

  #forget(transaction: Transaction): void {
    clearTimeout(transaction.timer);
    if (this.#transactions.get(transaction.branch) !== transaction) return;
    // A final INVITE answered non-2xx lingers in byUpstream only while it is in the map.
    this.#transactions.delete(transaction.branch);
    this.#byUpstream.delete(transaction.upstreamKey);
    transaction.upstream.sentTransactions.delete(transaction.branch);
    transaction.downstream.receivedTransactions.delete(transaction.branch);
  }

  // ---- ring groups ----

  #startFork(
    connection: SipConnection,
    request: SipRequest,
    tenantId: string,
    callerNumber: string | undefined,
    group: Extract<DialResolution, { kind: 'ring_group' }>,
    call: LiveCall,
  ): void {
    const clientBranch = parseVia(header(request, 'via')!)?.branch;
    if (!clientBranch) {
      this.calls.finish(call, 400);
      return this.#reply(connection, request, 400);
    }
    // A member calling its own group does not ring itself.
    const numbers = group.members.filter((n) => n !== callerNumber);
    const members: ForkMember[] = [];
    for (const number of numbers) {
      const binding = this.registrar.target(tenantId, number);
      if (binding) members.push({ number, connection: binding.connection, contact: binding.contact });
    }
    if (members.length === 0) {
      this.calls.finish(call, 480);
      return this.#reply(connection, request, 480);
    }
    const fork: Fork = {
      upstream: connection,
      received: request,
      upstreamKey: `${connection.id}\n${clientBranch}\nINVITE`,
      call,
      strategy: group.strategy,
      timeoutMs: group.timeout * 1000,
      waiting: group.strategy === 'sequential' ? members.slice(1) : [],
      live: new Set(),
      outcomes: [],
      timedOut: 0,
      unregistered: numbers.length - members.length,
      winner: undefined,
      done: false,
      cancelled: false,
      timer: undefined,
    };
    this.#forks.set(fork.upstreamKey, fork);
    this.#reply(connection, request, 100);
    if (group.strategy === 'sequential') return this.#startBranch(fork, members[0]!);
    // Simultaneous: the whole group rings for one member timeout, then the caller hears 480.
    fork.timer = setTimeout(() => {
      fork.timedOut += fork.live.size;
      this.#forkFail(fork, bestFailure(fork));
    }, fork.timeoutMs).unref();
    for (const member of members) this.#startBranch(fork, member);
  }

  #startBranch(fork: Fork, member: ForkMember): void {
    const branch = `z9hG4bK${randomToken()}`;
    const transaction: Transaction = {
      branch,
      upstreamKey: `${fork.upstreamKey}\n${branch}`,
      method: 'INVITE',
      upstream: fork.upstream,
      downstream: member.connection,
      received: fork.received,
      forwarded: this.#copyForNextHop(fork.received, member.contact, branch, true),
      final: undefined,
      cancelled: false,
      dialogKeys: new Set(),
      timer: undefined,
      call: fork.call,
      fork,
      member: member.number,
    };
    this.#transactions.set(branch, transaction);
    fork.upstream.sentTransactions.add(branch);
    member.connection.receivedTransactions.add(branch);
    fork.live.add(branch);
    // Sequential: each member rings for the group's timeout; simultaneous: the group timer rules,
    // and this one only catches a member that never answers at all.
    const ms = fork.strategy === 'sequential' ? fork.timeoutMs : NO_RESPONSE_MS;
    this.#arm(transaction, ms, () => {
      fork.timedOut++;
      this.#cancelDownstream(transaction);
      this.#branchEnded(transaction, undefined, true);
    });
    member.connection.send(transaction.forwarded);
  }

  #onBranchResponse(transaction: Transaction, fork: Fork, response: SipResponse): void {
    if (response.status < 200 && fork.strategy === 'simultaneous') {
      // The member is alive; from now on only the group timer decides how long it rings.
      clearTimeout(transaction.timer);
      transaction.timer = undefined;
    }
    if (response.status === 100) return;
    removeFirstHeader(response, 'via');
    const status = response.status;
    if (status < 200) {
      if (fork.done || transaction.final !== undefined) return;
      if (tagOf(header(response, 'to')) && transaction.dialogKeys.size < 8) {
        const key = this.#dialogs.open(fork.upstream, transaction.downstream, fork.received, response);
        if (key) transaction.dialogKeys.add(key);
      }
      return fork.upstream.send(response);
    }
    if (status < 300) {
      if (fork.winner === transaction.branch) return fork.upstream.send(response); // a retransmission
      if (fork.done) {
        // Another member answered first, or the caller gave up: this member's call ends at once.
        if (transaction.final === undefined) this.#ackAndBye(transaction, response);
        transaction.final = status;
        fork.live.delete(transaction.branch);
        return this.#arm(transaction, LINGER_MS, () => this.#forget(transaction));
      }
      this.#forkWon(fork, transaction, response);
      return;
    }
    if (transaction.final !== undefined) return;
    this.#ackDownstream(transaction, response);
    // Our own CANCELs (timeout, another member won, caller gave up) say nothing about the member.
    this.#branchEnded(transaction, transaction.cancelled ? undefined : status, false);
  }

  #forkWon(fork: Fork, transaction: Transaction, response: SipResponse): void {
    fork.winner = transaction.branch;
    fork.done = true;
    clearTimeout(fork.timer);
    transaction.final = response.status;
    fork.live.delete(transaction.branch);
    const key = this.#dialogs.open(fork.upstream, transaction.downstream, fork.received, response);
    const call = fork.call;
    if (key) {
      transaction.dialogKeys.add(key);
      if (call && !call.ended) {
        this.calls.answer(call);
        // The group call's record names the member who took it.
        if (transaction.member) call.to = transaction.member;
        call.dialogKey = key;
        this.#callsByDialog.set(key, call);
        call.ackTimer = setTimeout(() => this.#unconfirmed(call), this.#ackTimeoutMs).unref();
      }
    }
    for (const other of this.#branchesOf(fork)) if (other !== transaction && other.final === undefined) this.#cancelDownstream(other);
    this.#arm(transaction, LINGER_MS, () => this.#forget(transaction));
    this.#lingerFork(fork);
    fork.upstream.send(response);
  }

  /** A branch is over without an answer: ring the next member, or tell the caller if nobody is left. */
  #branchEnded(transaction: Transaction, status: number | undefined, stillCancelling: boolean): void {
    const fork = transaction.fork!;
    if (transaction.final === undefined && !stillCancelling) transaction.final = status ?? 487;
    for (const key of transaction.dialogKeys) this.#dialogs.end(key);
    fork.live.delete(transaction.branch);
    if (status !== undefined) fork.outcomes.push(status);
    // A branch we CANCELled stays to receive (and ACK) its 487, for a while.
    if (stillCancelling) this.#arm(transaction, NO_RESPONSE_MS, () => this.#forget(transaction));
    else this.#forget(transaction);
    if (fork.done || fork.live.size > 0) return;
    const next = fork.waiting.shift();
    if (next) {
      if (!next.connection.closed) return this.#startBranch(fork, next);
      fork.unregistered++;
      return this.#branchEndedNoBranch(fork);
    }
    this.#forkFail(fork, bestFailure(fork));
  }

  /** Sequential member whose phone went away before its turn: on to the one after. */
  #branchEndedNoBranch(fork: Fork): void {
    while (fork.waiting.length > 0) {
      const next = fork.waiting.shift()!;
      if (!next.connection.closed) return this.#startBranch(fork, next);
      fork.unregistered++;
    }
    this.#forkFail(fork, bestFailure(fork));
  }

  /** The caller's final failure: every branch still ringing is cancelled. */
  #forkFail(fork: Fork, status: number): void {
    if (fork.done) return;
    fork.done = true;
    clearTimeout(fork.timer);
    for (const branch of this.#branchesOf(fork)) if (branch.final === undefined) this.#cancelDownstream(branch);
    if (fork.call) this.calls.finish(fork.call, status);
    this.#reply(fork.upstream, fork.received, status);
    this.#lingerFork(fork);
  }

  /** The group call stays known a while, so a retransmitted INVITE starts nothing new. */
  #lingerFork(fork: Fork): void {
    setTimeout(() => {
      if (this.#forks.get(fork.upstreamKey) === fork) this.#forks.delete(fork.upstreamKey);
    }, LINGER_MS).unref();
  }

  #branchesOf(fork: Fork): Transaction[] {
    const out: Transaction[] = [];
    for (const branch of fork.upstream.sentTransactions) {
      const transaction = this.#transactions.get(branch);
      if (transaction?.fork === fork) out.push(transaction);
    }
    return out;
  }

  /** A member's 2xx after the call went elsewhere: ACK it (it is a dialog now), then end it with BYE. */
  #ackAndBye(transaction: Transaction, response: SipResponse): void {
    const contacts = parseContacts(headers(response, 'contact'));
    const uri = contacts && contacts !== '*' && contacts[0] ? contacts[0].uri.toString() : transaction.forwarded.uri;
    const seq = parseCSeq(header(transaction.forwarded, 'cseq')!)!.seq;
    const common = [
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: header(transaction.forwarded, 'from')! },
      { name: 'to', value: header(response, 'to')! },
      { name: 'call-id', value: header(transaction.forwarded, 'call-id')! },
    ];
    const request = (method: string, cseq: number, extra: SipHeader[] = []): SipRequest => ({
      kind: 'request',
      method,
      uri,
      headers: [{ name: 'via', value: this.#via() }, ...common, { name: 'cseq', value: `${cseq} ${method}` }, ...extra],
      body: Buffer.alloc(0),
    });
    transaction.downstream.send(request('ACK', seq));
    transaction.downstream.send(request('BYE', seq + 1, [{ name: 'reason', value: 'SIP;cause=200;text="Call completed elsewhere"' }]));
  }

  #reply(connection: SipConnection, request: SipRequest, status: number, extra: SipHeader[] = []): void {
    if (request.method === 'ACK') return;
    const toTag = status > 100 ? randomToken() : undefined;
    connection.send(responseTo(request, status, REASONS[status] ?? 'Unknown', { ...(toTag ? { toTag } : {}), headers: extra }));
  }
}

/** The user of the P-Preferred-Identity (or P-Asserted-Identity) a caller sent: the caller id it asks to present. */
function askedCallerId(request: SipRequest): string | undefined {
  const value = header(request, 'p-preferred-identity') ?? header(request, 'p-asserted-identity');
  return value === undefined ? undefined : (parseNameAddr(value)?.uri.user ?? '');
}

/** The next hop sees the tenant's number: From (tag kept, so dialogs still match) and P-Asserted-Identity. */
function presentCallerId(request: SipRequest, uri: string): void {
  const from = parseNameAddr(header(request, 'from')!);
  const tag = from?.params.tag;
  setHeader(request, 'from', `<${uri}>${tag ? `;tag=${tag}` : ''}`);
  request.headers = request.headers.filter((h) => h.name !== 'p-preferred-identity' && h.name !== 'p-asserted-identity');
  request.headers.push({ name: 'p-asserted-identity', value: `<${uri}>` });
}

/** A contact URI with its user part replaced (the dial string a trunk should call). */
function withUser(contact: string, user: string): string {
  return contact.replace(/^(sips?:)(?:[^@;?>]*@)?/i, `$1${user}@`);
}

function quoted(text: string): string {
  return text.replace(/["\\\r\n]/g, ' ');
}
