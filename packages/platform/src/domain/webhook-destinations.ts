import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where the platform may send webhooks. A tenant admin chooses the URL and the delivery log shows
 * what happened, so an unrestricted destination turns the platform into a port scanner of its own
 * network (and of cloud metadata at 169.254.169.254). Only globally reachable unicast addresses
 * are allowed unless the operator opts in (`--allow-private-webhooks`, for a demo or a test with
 * a receiver on loopback). The rule is applied twice: to the URL when an endpoint is created or
 * changed, and to the address actually connected to at delivery, after DNS resolution, so a name
 * that later resolves to 127.0.0.1 (DNS rebinding) gets nowhere.
 * See docs/decisions/2026-12-01-webhook-destinations.md.
 */

const FORBIDDEN_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const FORBIDDEN_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback, and the deprecated IPv4-compatible form
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const forbiddenV4 = new BlockList();
for (const [net, prefix] of FORBIDDEN_V4) forbiddenV4.addSubnet(net, prefix, 'ipv4');
const forbiddenV6 = new BlockList();
for (const [net, prefix] of FORBIDDEN_V6) forbiddenV6.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (with or without an embedded dotted quad). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address an IPv6 address stands for, where it stands for one: IPv4-mapped
 * (`::ffff:a.b.c.d`, which a dual-stack socket connects to as IPv4), NAT64 (`64:ff9b::/96`, which a
 * NAT64 gateway forwards to the IPv4 address) and 6to4 (`2002:AABB:CCDD::/48`).
 */
function embeddedIPv4(address: string): string | null {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return quad(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) return quad(g[6]!, g[7]!);
  if (g[0] === 0x2002) return quad(g[1]!, g[2]!);
  return null;
}

/** True for an IP address a webhook must not be sent to without the operator's opt-in; true for anything that is not an IP address. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return forbiddenV4.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIPv4(address);
  if (v4 !== null && forbiddenV4.check(v4, 'ipv4')) return true;
  return forbiddenV6.check(address, 'ipv6');
}

/** `localhost` and every name under it resolve to loopback by definition (RFC 6761), whatever DNS says. */
const isLocalhostName = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost');

export interface WebhookDestinationPolicy {
  /** Loopback, private, link-local and other non-public destinations are allowed (operator opt-in). */
  allowPrivate: boolean;
}

/**
 * Why `url` may not be a webhook destination under `policy`, or null when it may. Works on the URL
 * as WHATWG parses it, which is also what the sender connects to: `http://0x7f.1/`,
 * `http://2130706433/` and `http://0177.0.0.1/` are all `127.0.0.1` by then, and
 * `[::ffff:127.0.0.1]` is `[::ffff:7f00:1]`. A host name passes here unless it is `localhost`; its
 * addresses are checked when the delivery connects (guardedLookup).
 */
export function webhookUrlProblem(url: string, policy: WebhookDestinationPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http and https destinations are allowed';
  if (parsed.username !== '' || parsed.password !== '') return 'a user or password in the URL is not allowed';
  if (policy.allowPrivate) return null;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '').toLowerCase();
  if (isIP(host)) return isForbiddenAddress(host) ? 'loopback, private, link-local and reserved addresses are not allowed as webhook destinations' : null;
  if (isLocalhostName(host)) return '`localhost` is not allowed as a webhook destination';
  return null;
}

/** The error a refused resolution fails the connection with; the sender reports it as `destination_forbidden`. */
export class WebhookDestinationForbidden extends Error {
  readonly code = 'ERR_WEBHOOK_DESTINATION_FORBIDDEN';
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, which is not an allowed webhook destination`);
    this.name = 'WebhookDestinationForbidden';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connections that resolves the name and refuses it when any of its
 * addresses is forbidden; only addresses it has checked are handed to the socket, so the address
 * connected to is an address checked. Node calls it with `all: true` when it tries several
 * addresses (autoSelectFamily), and without for a single one; both shapes are answered.
 */
export function guardedLookup(policy: WebhookDestinationPolicy) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!policy.allowPrivate) {
        const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
        if (forbidden) return callback(new WebhookDestinationForbidden(hostname, forbidden.address), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
