/**
 * The edge's routing script, in the shape of Kamailio's request_route: sanity checks first, then
 * CANCEL, ACK and in-dialog requests, then authentication, then the caller's tenant decides. The
 * layers do the work: transactions (admission, retransmissions), dialogs, the challenge responder,
 * the registrar, the relay, ring groups and accounting. Every request is routed inside the caller's
 * tenant; in-dialog requests only travel along dialogs the edge saw created, between the two
 * connections that created them.
 */
import type { Authenticator, SipIdentity } from './authenticator';
import type { CallTracker, LiveCall } from './calls';
import { extensionVerdict, trunkVerdict, type ChallengeResponder, type Identified } from './challenge';
import type { SipConnection } from './connection';
import type { Dialog, DialogTable } from './dialogs';
import type { DialResolution, SipDirectory } from '../domain/sip-directory-contract';
import { parseNameAddr, parseUri, tagOf } from './header-values';
import { header, setHeader, type SipHeader, type SipRequest } from './message';
import { ALLOW, OUT_OF_DIALOG } from './methods';
import type { Registrar } from './registrar';
import { readRegister, register } from './registration';
import type { Relay } from './relay';
import { reasonHeader, reply } from './replies';
import type { RingGroups } from './ring-groups';
import { newClientBranch, topBranch, type Admission, type ServerKey, type TransactionTable } from './transactions';
import { trunkAor, type TrunkAuthenticator, type TrunkIdentity } from './trunk-auth';
import { presentToTrunk, TRUNK_ALLOW, type TrunkLeg } from './trunk-legs';

/** Everything the script calls: one instance of each layer, made by SipRouter. */
export interface EdgeLayers {
  directory: SipDirectory;
  log: (line: string) => void;
  transactions: TransactionTable;
  dialogs: DialogTable;
  relay: Relay;
  ringGroups: RingGroups;
  registrar: Registrar<SipConnection>;
  calls: CallTracker;
  auth: Authenticator;
  trunks: TrunkAuthenticator;
  challenges: ChallengeResponder;
}

interface Origin {
  tenantId: string;
  tenant: SipIdentity['tenant'];
  /** The calling extension; undefined for a call from a carrier. */
  callerNumber: string | undefined;
  /** Set when the caller is a carrier trunk. */
  trunk: 'caller' | undefined;
}

export class RequestRoute {
  readonly #edge: EdgeLayers;

  constructor(edge: EdgeLayers) {
    this.#edge = edge;
  }

  route(connection: SipConnection, request: SipRequest): void {
    const { relay, transactions, auth, challenges } = this.#edge;
    // REQINIT
    const maxForwards = header(request, 'max-forwards');
    if (maxForwards !== undefined && !/^\d{1,3}$/.test(maxForwards)) return reply(connection, request, 400);
    if (maxForwards !== undefined && Number(maxForwards) === 0 && request.method !== 'ACK') return reply(connection, request, 483);
    relay.popOwnRoutes(request);

    switch (request.method) {
      case 'REGISTER':
        return this.#registrar(connection, request);
      case 'CANCEL':
        return this.#cancel(connection, request);
      case 'ACK':
        return this.#ack(connection, request);
    }
    if (tagOf(header(request, 'to')) !== undefined) return this.#withinDialog(connection, request);
    if (request.method === 'OPTIONS' && !parseUri(request.uri)?.user) return reply(connection, request, 200, [{ name: 'allow', value: ALLOW }]);
    if (!OUT_OF_DIALOG.has(request.method)) {
      if (request.method === 'BYE') return reply(connection, request, 481);
      return reply(connection, request, 405, [{ name: 'allow', value: ALLOW }]);
    }
    const admission = transactions.admit(connection, request);
    if (admission.kind !== 'new') return this.#notAdmitted(connection, request, admission);

    const trunk = this.#trunkCaller(connection, request);
    if (trunk.kind === 'answered') return;
    if (trunk.kind === 'identified') return this.#fromTrunk(connection, request, admission.key, trunk.identity);
    const caller = challenges.respond(connection, request, extensionVerdict(auth.authenticate(connection, request)));
    if (caller.kind === 'identified') this.#fromExtension(connection, request, admission.key, caller.identity);
  }

  // ---- WITHINDLG ----

  #withinDialog(connection: SipConnection, request: SipRequest): void {
    const { dialogs, transactions, relay } = this.#edge;
    // A re-INVITE from a phone that came back on a new connection takes its dropped dialog over.
    const dialog = dialogs.find(connection, request) ?? (request.method === 'INVITE' ? dialogs.rebind(connection, request) : undefined);
    if (!dialog) return reply(connection, request, 481);
    const peer = dialog.caller === connection ? dialog.callee : dialog.caller;
    if (peer.closed) {
      // Hanging up on a phone whose socket dropped needs nobody's answer: the call ends here.
      if (dialog.dropped && request.method === 'BYE') {
        reply(connection, request, 200);
        dialogs.end(dialog.key);
        this.#edge.calls.endDialog(dialog.key);
        return;
      }
      return reply(connection, request, 480);
    }
    // Refused or absorbed here, a request has changed nothing: a BYE the edge did not forward ends no call.
    const admission = transactions.admit(connection, request);
    if (admission.kind !== 'new') return this.#notAdmitted(connection, request, admission);
    const leg = trunkLegToward(dialog, peer);
    // A transfer would have the carrier place a call the caller's dial plan never saw.
    if (leg && request.method === 'REFER') return reply(connection, request, 405, [{ name: 'allow', value: TRUNK_ALLOW }]);
    if (request.method === 'REFER') {
      const refusal = this.#referRefusal(connection, request);
      if (refusal) {
        this.#edge.log(`sip: REFER refused on ${connection.id}: ${refusal.reason}`);
        return reply(connection, request, refusal.status, [reasonHeader(refusal.status, refusal.reason)]);
      }
    }
    dialogs.noteRequest(dialog, connection, request);
    relay.forward(connection, request, admission.key, peer, {
      uri: leg ? leg.target : request.uri,
      recordRoute: false,
      dialogKey: dialog.key,
      rewrite: leg ? (forwarded) => presentToTrunk(leg, forwarded) : undefined,
    });
  }

  /**
   * A transfer between extensions goes only where the transferor could call itself: `Refer-To` in
   * the transferor's own tenant domain, through its dial plan (a reject rule refuses the REFER with
   * its status; a number the plan does not know is 404). Never another tenant: such a target is
   * 403, exactly like a call there. Undefined when the REFER may go on to the transferee.
   */
  #referRefusal(connection: SipConnection, request: SipRequest): { status: number; reason: string } | undefined {
    const { directory, log } = this.#edge;
    const transferor = connection.soleExtension();
    if (!transferor) return { status: 403, reason: 'transfer needs one extension identity' };
    const target = parseNameAddr(header(request, 'refer-to') ?? '')?.uri;
    if (!target?.user) return { status: 400, reason: 'no target in Refer-To' };
    if (directory.tenantByDomain(target.host.toLowerCase())?.id !== transferor.tenantId) return { status: 403, reason: 'transfer outside the tenant' };
    let resolution: DialResolution;
    try {
      resolution = this.#resolveDial(transferor.tenantId, target.user, transferor.number, request);
    } catch (error) {
      log(`sip: dial plan of ${transferor.tenantId} failed for a transfer to ${target.user}: ${error instanceof Error ? error.message : String(error)}`);
      return { status: 500, reason: 'dial plan failed' };
    }
    if (resolution.kind === 'not_found') return { status: 404, reason: 'transfer target not found' };
    // The rule's own status is for a caller; a refused transfer is always 403, with the rule's reason.
    if (resolution.kind === 'reject') return { status: 403, reason: resolution.reason || 'transfer refused by the dial plan' };
    return undefined;
  }

  #cancel(connection: SipConnection, request: SipRequest): void {
    const { transactions, relay, ringGroups } = this.#edge;
    const invite = transactions.inviteOf(connection, topBranch(request));
    if (!invite) return reply(connection, request, 481);
    // CANCEL is hop by hop: answered here, and a CANCEL of our own goes on.
    if (invite.kind === 'fork') return ringGroups.cancel(invite, connection, request);
    relay.cancel(invite, connection, request);
  }

  #ack(connection: SipConnection, request: SipRequest): void {
    const { transactions, dialogs, calls, relay } = this.#edge;
    const invite = transactions.inviteOf(connection, topBranch(request));
    // ACK of a non-2xx final response ends at this hop; the callee got our own ACK already.
    if (invite?.kind === 'client' && invite.final !== undefined && invite.final >= 300) return;
    const dialog = dialogs.find(connection, request);
    if (!dialog) return;
    if (dialog.caller === connection) calls.acked(dialog.key);
    const peer = dialog.caller === connection ? dialog.callee : dialog.caller;
    const ack = relay.copyForNextHop(request, request.uri, newClientBranch(), false);
    const leg = trunkLegToward(dialog, peer);
    if (leg) presentToTrunk(leg, ack);
    peer.send(ack);
  }

  #notAdmitted(connection: SipConnection, request: SipRequest, admission: Exclude<Admission, { kind: 'new' }>): void {
    // A retransmission of a request already under way starts nothing new and is answered by that one.
    if (admission.kind === 'retransmission') return;
    this.#edge.log(`sip: ${request.method} refused on ${connection.id}: ${admission.problem}`);
    reply(connection, request, admission.status);
  }

  // ---- AUTH and REGISTRAR ----

  /**
   * A request from a carrier: the trunk that registered this connection, or digest credentials of
   * a trunk on the request itself.
   */
  #trunkCaller(connection: SipConnection, request: SipRequest): Identified<TrunkIdentity> {
    const { trunks, challenges, log } = this.#edge;
    const bound = trunks.boundTo(connection);
    if (bound === 'revoked') {
      log(`sip: ${request.method} refused (trunk deleted or tenant suspended) on ${connection.id}`);
      reply(connection, request, 403);
      return { kind: 'answered' };
    }
    if (bound) return { kind: 'identified', identity: bound };
    return challenges.respond(connection, request, trunkVerdict(trunks.authenticate(connection, request)), 'trunk');
  }

  #registrar(connection: SipConnection, request: SipRequest): void {
    const { trunks, auth, challenges, registrar } = this.#edge;
    const parsed = readRegister(request);
    if (!parsed.ok) return reply(connection, request, 400);
    // Every REGISTER carries its own credentials, a trunk's refresh included.
    const trunk = challenges.respond(connection, request, trunkVerdict(trunks.authenticate(connection, request)), 'trunk');
    if (trunk.kind === 'answered') return;
    if (trunk.kind === 'identified') {
      trunks.bind(connection, trunk.identity);
      // Registered under a key no extension number can take, so a trunk never receives extension calls.
      return register(registrar, connection, request, parsed, trunk.identity.tenant.id, trunkAor(trunk.identity.trunk.trunkId));
    }
    const caller = challenges.respond(connection, request, extensionVerdict(auth.authenticate(connection, request)));
    if (caller.kind !== 'identified') return;
    // The authenticator remembers a digest identity (with its credential generation) itself.
    register(registrar, connection, request, parsed, caller.identity.tenant.id, caller.identity.number);
  }

  // ---- routing inside the caller's tenant ----

  /** An out-of-dialog request from an authenticated extension: find the callee inside its tenant. */
  #fromExtension(connection: SipConnection, request: SipRequest, key: ServerKey, caller: SipIdentity): void {
    const { calls, directory, registrar, relay, log } = this.#edge;
    const target = parseUri(request.uri);
    const tenantId = caller.tenant.id;
    const callId = header(request, 'call-id')!;
    const inviting = request.method === 'INVITE';
    // Another tenant's domain, or any domain that is not the caller's: refused, never forwarded.
    if (!target || target.host.toLowerCase() !== caller.tenant.sipDomain.toLowerCase()) {
      if (inviting) calls.refuse(tenantId, callId, caller.number, target ? `${target.user ?? ''}@${target.host}` : request.uri, 'rejected', 403);
      return reply(connection, request, 403);
    }
    if (inviting) {
      const grant = calls.begin(tenantId, callId, caller.number, target.user ?? '');
      if (!grant.ok) return this.#refuseOverLimit(connection, request, `channel limit reached (${grant.limit})`);
      const dialled = target.user ?? '';
      let resolution: DialResolution;
      try {
        resolution = this.#resolveDial(tenantId, dialled, caller.number, request);
      } catch (error) {
        log(`sip: dial plan of ${tenantId} failed for ${dialled}: ${error instanceof Error ? error.message : String(error)}`);
        calls.finish(grant.call, 500);
        return reply(connection, request, 500);
      }
      return this.#deliver(connection, request, key, { tenantId, tenant: caller.tenant, callerNumber: caller.number, trunk: undefined }, resolution, grant.call);
    }
    // MESSAGE and OPTIONS reach extensions only; a message for a group or a trunk has nowhere to go.
    if (request.method === 'MESSAGE') {
      const grant = calls.allowMessage(tenantId);
      if (!grant.ok) {
        directory.usageCounted?.(tenantId, { kind: 'message_refused' });
        return this.#refuseOverLimit(connection, request, `message limit reached (${grant.limit} per minute)`);
      }
    }
    if (!target.user || !directory.user(tenantId, target.user)) return reply(connection, request, 404);
    const binding = registrar.target(tenantId, target.user);
    if (!binding) return reply(connection, request, 480);
    relay.forward(connection, request, key, binding.connection, { uri: binding.contact, recordRoute: false });
    if (request.method === 'MESSAGE') directory.usageCounted?.(tenantId, { kind: 'message' });
  }

  /** An INVITE from a carrier for one of the platform's DIDs: only the trunk's own tenant's numbers. */
  #fromTrunk(connection: SipConnection, request: SipRequest, key: ServerKey, identity: TrunkIdentity): void {
    const { calls, directory } = this.#edge;
    if (request.method !== 'INVITE') return reply(connection, request, 405, [{ name: 'allow', value: 'INVITE, ACK, BYE, CANCEL' }]);
    const dialled = parseUri(request.uri)?.user ?? '';
    const from = parseNameAddr(header(request, 'from') ?? '')?.uri.user ?? '';
    const callId = header(request, 'call-id')!;
    const inbound = dialled ? directory.resolveInboundDid?.(dialled) : undefined;
    // Another tenant's number looks exactly like a number nobody holds.
    if (!inbound || inbound.tenantId !== identity.tenant.id) {
      calls.refuse(identity.tenant.id, callId, from, dialled, 'failed', 404, 'inbound');
      return reply(connection, request, 404);
    }
    const grant = calls.begin(inbound.tenantId, callId, from, inbound.number, 'inbound');
    if (!grant.ok) return this.#refuseOverLimit(connection, request, `channel limit reached (${grant.limit})`);
    const origin: Origin = { tenantId: inbound.tenantId, tenant: identity.tenant, callerNumber: undefined, trunk: 'caller' };
    this.#deliver(connection, request, key, origin, inbound.destination, grant.call);
  }

  /**
   * The tenant's dial plan for a dialled string (dial rules, extensions, ring groups, own DIDs);
   * a directory without the dial plan hooks knows extensions only.
   */
  #resolveDial(tenantId: string, dialled: string, callerNumber: string, request: SipRequest): DialResolution {
    const { directory } = this.#edge;
    if (directory.resolveDial) return directory.resolveDial(tenantId, dialled, { extension: callerNumber, callerId: askedCallerId(request) });
    return dialled && directory.user(tenantId, dialled) ? { kind: 'extension', number: dialled } : { kind: 'not_found' };
  }

  /** Carries out a dial plan decision for an INVITE whose call already holds a channel. */
  #deliver(connection: SipConnection, request: SipRequest, key: ServerKey, origin: Origin, resolution: DialResolution, call: LiveCall): void {
    const { calls, registrar, relay, ringGroups } = this.#edge;
    const { tenantId } = origin;
    const fail = (status: number, reason?: string) => {
      calls.finish(call, status);
      reply(connection, request, status, reason ? [reasonHeader(status, reason)] : []);
    };
    switch (resolution.kind) {
      case 'not_found':
        return fail(404);
      case 'reject':
        return fail(resolution.status, resolution.reason);
      case 'extension': {
        const binding = registrar.target(tenantId, resolution.number);
        if (!binding) return fail(480);
        reply(connection, request, 100);
        relay.forward(connection, request, key, binding.connection, { uri: binding.contact, recordRoute: true, call, trunk: origin.trunk });
        return;
      }
      case 'ring_group': {
        // A member calling its own group does not ring itself.
        const numbers = resolution.members.filter((n) => n !== origin.callerNumber);
        const members = numbers.flatMap((number) => {
          const binding = registrar.target(tenantId, number);
          return binding ? [{ number, connection: binding.connection, contact: binding.contact }] : [];
        });
        const plan = { strategy: resolution.strategy, timeoutMs: resolution.timeout * 1000, members, unregistered: numbers.length - members.length };
        return ringGroups.start(connection, request, key, call, plan, origin.trunk);
      }
      case 'trunk': {
        if (call.direction === 'internal') call.direction = 'outbound';
        const binding = registrar.target(tenantId, trunkAor(resolution.trunkId));
        if (!binding) return fail(480, 'trunk not registered');
        reply(connection, request, 100);
        const presented = `sip:${resolution.callerId}@${origin.tenant.sipDomain}`;
        relay.forward(connection, request, key, binding.connection, {
          uri: withUser(binding.contact, resolution.dialString),
          recordRoute: true,
          call,
          trunk: 'callee',
          rewrite: (forwarded) => presentCallerId(forwarded, presented),
        });
        return;
      }
    }
  }

  /** 403 with a Reason naming the limit, so a phone (and its user) can tell it from a refusal. */
  #refuseOverLimit(connection: SipConnection, request: SipRequest, text: string): void {
    this.#edge.log(`sip: ${request.method} refused on ${connection.id}: ${text}`);
    reply(connection, request, 403, [reasonHeader(403, text)]);
  }
}

/** The dialog's trunk leg, when `peer` (the side a request goes to) is the carrier. */
function trunkLegToward(dialog: Dialog, peer: SipConnection): TrunkLeg | undefined {
  const leg = dialog.trunk;
  if (!leg) return undefined;
  return (leg.side === 'callee' ? dialog.callee : dialog.caller) === peer ? leg : undefined;
}

/** The user of the P-Preferred-Identity (or P-Asserted-Identity) a caller sent: the caller id it asks to present. */
function askedCallerId(request: SipRequest): string | undefined {
  const value = header(request, 'p-preferred-identity') ?? header(request, 'p-asserted-identity');
  return value === undefined ? undefined : (parseNameAddr(value)?.uri.user ?? '');
}

/**
 * The next hop sees the tenant's number: From (tag kept, so dialogs still match) and
 * P-Asserted-Identity. Returns the caller's own From, put back on the responses it gets.
 */
function presentCallerId(request: SipRequest, uri: string): SipHeader[] {
  const original = header(request, 'from')!;
  const tag = parseNameAddr(original)?.params.tag;
  setHeader(request, 'from', `<${uri}>${tag ? `;tag=${tag}` : ''}`);
  request.headers = request.headers.filter((h) => h.name !== 'p-preferred-identity' && h.name !== 'p-asserted-identity' && h.name !== 'remote-party-id');
  request.headers.push({ name: 'p-asserted-identity', value: `<${uri}>` });
  return [{ name: 'from', value: original }];
}

/** A contact URI with its user part replaced (the dial string a trunk should call). */
function withUser(contact: string, user: string): string {
  return contact.replace(/^(sips?:)(?:[^@;?>]*@)?/i, `$1${user}@`);
}
