/**
 * SIP over WebSocket (RFC 7118) on the platform's HTTP server: the upgrade on `path` with the
 * `sip` subprotocol becomes a SipConnection; `?token=` binds it to one tenant and extension.
 * The edge bounds what it holds for strangers: connections in total and per source address, and
 * how long a socket may stay open without authenticating; a token-bound socket ends with its token.
 * Told of revoked credentials by the directory, it drops at once what they gave open sockets, and
 * closes every socket of a tenant that leaves service (its calls ending with a BYE to whoever is left).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { identityKey, SipConnection, trunkAor } from './connection';
import type { SipCredentialChange, SipDirectory, SoftphoneTokenClaims, TokenCheck } from '../domain/sip-directory-contract';
import { systemClock, type SipTimer } from './clock';
import { SipRouter, type SipTimers } from './router';
import type { SipTrafficCount } from './traffic';
import { parseFrame } from './framing';
import { reasonHeader, reply } from './replies';

export interface SipEdgeOptions {
  directory: SipDirectory;
  /** URL path the SIP WebSocket listens on. Default `/sip`. */
  path?: string;
  log?: (line: string) => void;
  timers?: SipTimers | undefined;
  limits?: SipEdgeLimits | undefined;
}

/** Bounds on what anonymous clients can hold open at the edge. */
export interface SipEdgeLimits {
  /** WebSockets open (or opening) at once, all sources together. Default 20,000. */
  maxConnections?: number | undefined;
  /** WebSockets open (or opening) at once from one source address. Default 1,000. */
  maxConnectionsPerAddress?: number | undefined;
  /**
   * A socket that has not authenticated (token, or any request that passed digest) within this
   * many milliseconds is closed with 4408 `authentication_timeout`. Default 30,000.
   */
  authenticationTimeoutMs?: number | undefined;
}

export const DEFAULT_SIP_EDGE_LIMITS = {
  maxConnections: 20_000,
  // bench/sip.mjs opens 100 from 127.0.0.1; a NAT or an office gateway may hold many more.
  maxConnectionsPerAddress: 1_000,
  authenticationTimeoutMs: 30_000,
} as const;

/** Close codes for sockets the edge ends itself (4xxx: application-defined, readable by a browser). */
export const SIP_CLOSE = {
  tokenExpired: { code: 4401, reason: 'token_expired' },
  /** The extension a token-bound socket spoke for was deleted. */
  extensionDeleted: { code: 4404, reason: 'extension_not_found' },
  authenticationTimeout: { code: 4408, reason: 'authentication_timeout' },
  /** The tenant (or its reseller) was suspended: the code a token for it gets at the upgrade, too. */
  tenantSuspended: { code: 4403, reason: 'tenant_suspended' },
} as const;

/** How often a socket whose token expired during a call is looked at again, to close it once the call is over. */
const EXPIRED_TOKEN_RECHECK_MS = 5_000;

/** Longest delay setTimeout accepts (about 24.8 days); a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the edge alone knows about one tenant right now: the HTTP layer's usage figures read it. */
export interface SipTenantCounters {
  channels: number;
  registrations: number;
  messages: number;
  messagesWindowStartedAt: Date;
}

export interface SipEdge {
  close(): Promise<void>;
  stats(): { connections: number; registrations: number; activeCalls: number };
  /** SIP messages in and out by method and status since the edge started (labels from closed sets). */
  traffic(): SipTrafficCount[];
  tenantCounters(tenantId: string): SipTenantCounters;
  /** Registrations per tenant on this edge, tenants with none left out (the usage rollups' hourly sample). */
  registrationsByTenant(): Iterable<readonly [string, number]>;
}

/** Above this the socket itself is closed (1009); below it, oversize messages get a 413. */
const MAX_FRAME_BYTES = 256 * 1024;

/** Close codes a browser can read: 4401 for a bad token, 4403 for a suspended tenant. */
function closeCodeFor(reason: Exclude<TokenCheck, { ok: true }>['reason']): number {
  return reason === 'tenant_suspended' ? 4403 : 4401;
}

export function attachSipEdge(server: Server, options: SipEdgeOptions): SipEdge {
  const path = options.path ?? '/sip';
  const log = options.log ?? (() => {});
  const clock = options.timers?.clock ?? systemClock;
  const router = new SipRouter(options.directory, log, options.timers);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  const connections = new Set<SipConnection>();
  /** How to close each open connection the edge's own way (released at once, then the close handshake). */
  const closers = new Map<SipConnection, (close: { code: number; reason: string }) => void>();
  const limits = {
    maxConnections: options.limits?.maxConnections ?? DEFAULT_SIP_EDGE_LIMITS.maxConnections,
    maxConnectionsPerAddress: options.limits?.maxConnectionsPerAddress ?? DEFAULT_SIP_EDGE_LIMITS.maxConnectionsPerAddress,
    authenticationTimeoutMs: options.limits?.authenticationTimeoutMs ?? DEFAULT_SIP_EDGE_LIMITS.authenticationTimeoutMs,
  };
  /** Sockets open or mid-upgrade (a token check is async), in total and per source address. */
  let sockets = 0;
  const perAddress = new Map<string, number>();
  const release = (address: string): void => {
    sockets--;
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://edge.invalid');
    if (url.pathname !== path) {
      // Another upgrade handler may own this path; if there is none, refuse instead of hanging.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes('sip')) return refuse(socket, 400, 'Bad Request');
    // Refused before any WebSocket exists, so a flood of opens costs one HTTP response each.
    const address = request.socket.remoteAddress ?? 'unknown';
    const fromAddress = perAddress.get(address) ?? 0;
    if (sockets >= limits.maxConnections || fromAddress >= limits.maxConnectionsPerAddress) {
      log(`sip: refused a WebSocket from ${address}: ${sockets >= limits.maxConnections ? 'edge' : 'address'} connection limit reached`);
      return refuse(socket, 503, 'Service Unavailable', ['Retry-After: 10']);
    }
    sockets++;
    perAddress.set(address, fromAddress + 1);
    // Counted until the TCP socket itself is gone, whatever happens to the upgrade on the way.
    socket.once('close', () => release(address));
    // The client may vanish while its token is checked; that must not become an unhandled error.
    socket.on('error', () => {});
    const token = url.searchParams.get('token');
    const check: Promise<TokenCheck | undefined> = token === null ? Promise.resolve(undefined) : options.directory.verifyToken(token);
    check
      .catch((error: unknown): TokenCheck => {
        log(`sip: token check failed: ${String(error)}`);
        return { ok: false, reason: 'token_invalid' };
      })
      .then((result) => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          // The upgrade is accepted even for a bad token so that the browser can read the reason.
          if (result && !result.ok) return ws.close(closeCodeFor(result.reason), result.reason);
          accept(ws, result?.claims);
        });
      })
      .catch((error: unknown) => {
        log(`sip: upgrade failed: ${String(error)}`);
        socket.destroy();
      });
  };

  const accept = (ws: WebSocket, claims: SoftphoneTokenClaims | undefined): void => {
    const connection = new SipConnection(ws, claims, router.traffic);
    connections.add(connection);
    let released = false;
    /** Drops the connection's registrations, transactions and dialogs, once. */
    const releaseConnection = (): void => {
      if (released) return;
      released = true;
      connections.delete(connection);
      closers.delete(connection);
      try {
        router.connectionClosed(connection);
      } catch (error) {
        log(`sip: error closing ${connection.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const closeWith = (close: { code: number; reason: string }): void => {
      log(`sip: closing ${connection.id}: ${close.reason}`);
      // Released at once: the close handshake may take a while, and nothing may reach this socket meanwhile.
      releaseConnection();
      ws.close(close.code, close.reason);
    };
    closers.set(connection, closeWith);

    let tokenTimer: SipTimer | undefined;
    /**
     * At expiry a socket with no call is closed; one with a call up is left open (the call runs on,
     * its next REGISTER is refused) and looked at again until its calls end or a new token arrives.
     */
    const armTokenExpiry = (): void => {
      tokenTimer?.cancel();
      tokenTimer = undefined;
      const token = connection.token;
      const left = token ? token.expiresAt.getTime() - clock.now() : Infinity;
      if (left <= 0) {
        if (connection.dialogs.size === 0) return closeWith(SIP_CLOSE.tokenExpired);
        tokenTimer = clock.after(EXPIRED_TOKEN_RECHECK_MS, armTokenExpiry);
        return;
      }
      if (left !== Infinity) tokenTimer = clock.after(Math.min(left, MAX_TIMER_MS), armTokenExpiry);
    };
    armTokenExpiry();
    const authTimer = connection.authenticated
      ? undefined
      : clock.after(limits.authenticationTimeoutMs, () => {
          if (!connection.authenticated) closeWith(SIP_CLOSE.authenticationTimeout);
        });
    const handle = (frame: Buffer): void => {
      // A socket being closed by the edge (expired token, no authentication) is heard no more.
      if (released) return;
      try {
        router.handleFrame(connection, frame);
      } catch (error) {
        // One bad message must never take the socket, or anyone else's, down with it.
        log(`sip: error handling a message on ${connection.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    /**
     * A REGISTER with `Authorization: Bearer` is held while its token is checked (the directory
     * answers asynchronously), and every frame after it waits its turn, so order is kept.
     */
    let queue: Promise<void> | undefined;
    const bearerRegister = async (frame: Buffer, token: string): Promise<void> => {
      const check = await options.directory.verifyToken(token).catch((error: unknown): TokenCheck => {
        log(`sip: token check failed: ${String(error)}`);
        return { ok: false, reason: 'token_invalid' };
      });
      if (released) return;
      // Expiry is judged on the edge's clock, the one its timers run on.
      const refusal = !check.ok ? check.reason : check.claims.expiresAt.getTime() <= clock.now() ? 'token_expired' : bindBearer(connection, check.claims);
      if (refusal) return refuseBearer(connection, frame, refusal);
      armTokenExpiry();
      handle(frame);
    };
    ws.on('message', (data: RawData) => {
      if (released) return;
      const frame = toBuffer(data);
      const token = bearerTokenOf(frame);
      if (queue === undefined && token === undefined) return handle(frame);
      const step = queue ?? Promise.resolve();
      const next: Promise<void> = step.then(() => (token === undefined ? handle(frame) : bearerRegister(frame, token)));
      queue = next.catch((error: unknown) => log(`sip: error handling a message on ${connection.id}: ${String(error)}`));
      const settled = queue;
      void settled.then(() => {
        if (queue === settled) queue = undefined;
      });
    });
    ws.on('error', (error) => log(`sip: socket error on ${connection.id}: ${error.message}`));
    ws.on('close', () => {
      tokenTimer?.cancel();
      authTimer?.cancel();
      releaseConnection();
    });
  };

  /** Acts at once on a committed change; each socket would meet it at its next use anyway. */
  const onCredentialChange = (change: SipCredentialChange): void => {
    switch (change.kind) {
      case 'extension': {
        const key = identityKey(change.tenantId, change.number);
        for (const connection of [...connections]) {
          if (connection.token) {
            const { token } = connection;
            if (change.deleted && token.tenantId === change.tenantId && token.extensionId === change.extensionId) {
              closers.get(connection)?.(SIP_CLOSE.extensionDeleted);
            }
          } else connection.digestIdentities.delete(key);
        }
        router.registrar.dropRevoked(change.tenantId, change.number);
        return;
      }
      case 'trunk':
        for (const connection of connections) {
          if (connection.trunk?.trunk.trunkId === change.trunkId) connection.trunk = undefined;
        }
        router.registrar.dropRevoked(change.tenantId, trunkAor(change.trunkId));
        return;
      case 'tenant':
        return closeTenant(change.tenantId);
    }
  };

  /**
   * Closes every socket that has spoken for the tenant. Phones go first, carrier trunks last: each
   * socket closed sends a BYE for its calls to the other side while that side is still open, so
   * the carrier hears a BYE for each call and does not hold the PSTN leg up.
   */
  const closeTenant = (tenantId: string): void => {
    const phones: SipConnection[] = [];
    const trunks: SipConnection[] = [];
    for (const connection of connections) {
      if (connection.trunk?.tenant.id === tenantId) trunks.push(connection);
      else if (connection.token?.tenantId === tenantId || connection.tenants.has(tenantId)) phones.push(connection);
    }
    if (phones.length + trunks.length > 0) log(`sip: tenant ${tenantId} left service: closing ${phones.length + trunks.length} sockets`);
    for (const connection of [...phones, ...trunks]) closers.get(connection)?.(SIP_CLOSE.tenantSuspended);
  };
  const stopWatching = options.directory.watchCredentials?.(onCredentialChange);

  server.on('upgrade', onUpgrade);

  return {
    async close() {
      stopWatching?.();
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      router.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    stats: () => ({ connections: connections.size, registrations: router.registrar.size, activeCalls: router.calls.activeChannels }),
    traffic: () => router.traffic.snapshot(),
    tenantCounters(tenantId) {
      const live = router.calls.usage(tenantId);
      return { ...live, registrations: router.registrar.countFor(tenantId) };
    },
    registrationsByTenant: () => [...router.registrar.perTenant()],
  };
}

/**
 * The token of a REGISTER's `Authorization: Bearer` header (RFC 8898), or undefined for any other
 * frame. Only REGISTER frames that mention a bearer are decoded: every other frame costs a comparison or two.
 */
export function bearerTokenOf(frame: Buffer): string | undefined {
  if (frame[0] !== 0x52 || frame.length < 9 || frame.toString('latin1', 0, 9) !== 'REGISTER ') return undefined;
  // A native scan first: a digest REGISTER (the bulk of them) is not decoded a second time.
  if (frame.indexOf('earer') === -1 && frame.indexOf('EARER') === -1) return undefined;
  const end = frame.indexOf('\r\n\r\n');
  const head = frame.toString('latin1', 0, end === -1 ? frame.length : end);
  return /\r\nauthorization[ \t]*:[ \t]*bearer[ \t]+([^\s,]+)/i.exec(head)?.[1];
}

/**
 * Binds a connection to a Bearer token's extension, or says why not: the same rules as a `?token=`
 * socket, which may only ever speak for one extension row. A newer token for that row replaces the
 * old one on the live connection, calls untouched.
 */
function bindBearer(connection: SipConnection, claims: SoftphoneTokenClaims): BearerRefusal | undefined {
  const bound = connection.token;
  if (bound && (bound.tenantId !== claims.tenantId || bound.extensionId !== claims.extensionId)) return 'token_bound_elsewhere';
  // A socket that already speaks for someone by digest or as a trunk does not also become a softphone.
  if (!bound && (connection.trunk || connection.digestIdentities.size > 0)) return 'token_bound_elsewhere';
  connection.token = claims;
  connection.authenticated = true;
  connection.tenants.add(claims.tenantId);
  return undefined;
}

type BearerRefusal = Exclude<TokenCheck, { ok: true }>['reason'] | 'token_bound_elsewhere';

/**
 * A refused Bearer REGISTER: 403 with a Reason whose text is the code the widget shows a sentence
 * for (the codes of the WebSocket close reasons: `token_expired`, `token_invalid`, …); the socket
 * stays open, so a call on it runs on. Not RFC 8898's 401 with a Bearer challenge: sip.js 0.21 (the
 * widget) cannot parse a non-Digest WWW-Authenticate and never settles the REGISTER.
 */
function refuseBearer(connection: SipConnection, frame: Buffer, refusal: BearerRefusal): void {
  const parsed = parseFrame(frame);
  if (!parsed.ok || parsed.message.kind !== 'request') return;
  reply(connection, parsed.message, 403, [reasonHeader(403, refusal)]);
}

function refuse(socket: Duplex, status: number, reason: string, extraHeaders: string[] = []): void {
  const extra = extraHeaders.map((line) => `${line}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
