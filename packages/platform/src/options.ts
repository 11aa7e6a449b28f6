import type { IceServer } from '@highrise/sdk/schemas';

export interface PlatformOptions {
  /** TCP port for HTTP and SIP-over-WebSocket; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Directory for the SQLite database and other state. Default `.highrise`. */
  dataDir?: string;
  /** Becomes the provider owner's API key on first start (ignored once the database exists). */
  bootstrapKey?: string;
  /** Base SIP domain: a tenant's SIP domain is `<slug>.<sipDomain>`. Default `sip.localhost`. */
  sipDomain?: string;
  /** URL the platform is reached at from outside (for `wsUrl` in softphone tokens). Default from host and port. */
  publicUrl?: string;
  /** STUN/TURN servers handed to softphones with their token. Default none. */
  iceServers?: IceServer[];
  /**
   * Static site served at `/` (the examples' reseller page); API and SIP routes take precedence.
   * `mounts` maps URL prefixes to directories (`{ '/softphone/': 'packages/softphone/dist' }`);
   * `files` serves generated content at exact paths (`{ '/demo-config.json': () => json }`).
   */
  site?: { root: string; mounts?: Record<string, string>; files?: Record<string, () => string> };
  /** Log lines go here; default is silent in tests and stdout in the CLI. */
  log?: (line: string) => void;
  /**
   * Failed API authentications allowed per source address in a sliding window; past it, further
   * failures from that address get 429 (valid keys keep working). Default 20 per 60 s.
   */
  authFailureLimit?: { maxFailures?: number; windowSeconds?: number };
  /** Take the client address from X-Forwarded-For (only behind a reverse proxy you run). Default false. */
  trustProxy?: boolean;
  /**
   * SIP edge timers. `ackTimeoutMs`: how long an answered call waits for the caller's ACK before
   * the edge ends it and frees its channel (default 32000, RFC 3261 Timer H); shorter in tests.
   */
  sipTimers?: { ackTimeoutMs?: number };
}

export interface Platform {
  /** `http://host:port` */
  url: string;
  /** `ws://host:port/sip` */
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}
