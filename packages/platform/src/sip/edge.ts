/**
 * SIP over WebSocket (RFC 7118) on the platform's HTTP server: the upgrade on `path` with the
 * `sip` subprotocol becomes a SipConnection; `?token=` binds it to one tenant and extension.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SipConnection } from './connection';
import type { SipDirectory, SoftphoneTokenClaims, TokenCheck } from './directory';
import { SipRouter, type SipTimers } from './router';

export interface SipEdgeOptions {
  directory: SipDirectory;
  /** URL path the SIP WebSocket listens on. Default `/sip`. */
  path?: string;
  log?: (line: string) => void;
  timers?: SipTimers | undefined;
}

/** What the edge alone knows about one tenant right now: the HTTP layer's usage figures read it. */
export interface SipTenantCounters {
  channels: number;
  registrations: number;
  messages: number;
  messagesWindowStartedAt: Date;
}

export interface SipEdge {
  close(): Promise<void>;
  stats(): { connections: number; registrations: number };
  tenantCounters(tenantId: string): SipTenantCounters;
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
  const router = new SipRouter(options.directory, log, options.timers);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  const connections = new Set<SipConnection>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://edge.invalid');
    if (url.pathname !== path) {
      // Another upgrade handler may own this path; if there is none, refuse instead of hanging.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes('sip')) return refuse(socket, 400, 'Bad Request');
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
    const connection = new SipConnection(ws, claims);
    connections.add(connection);
    ws.on('message', (data: RawData) => {
      try {
        router.handleFrame(connection, toBuffer(data));
      } catch (error) {
        // One bad message must never take the socket, or anyone else's, down with it.
        log(`sip: error handling a message on ${connection.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    ws.on('error', (error) => log(`sip: socket error on ${connection.id}: ${error.message}`));
    ws.on('close', () => {
      connections.delete(connection);
      try {
        router.connectionClosed(connection);
      } catch (error) {
        log(`sip: error closing ${connection.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };

  server.on('upgrade', onUpgrade);

  return {
    async close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      router.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    stats: () => ({ connections: connections.size, registrations: router.registrar.size }),
    tenantCounters(tenantId) {
      const live = router.calls.usage(tenantId);
      return { ...live, registrations: router.registrar.countFor(tenantId) };
    },
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
