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
}

export interface Platform {
  /** `http://host:port` */
  url: string;
  /** `ws://host:port/sip` */
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}
