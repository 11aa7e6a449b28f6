import { BlockList, isIP } from 'node:net';

/**
 * Which address a request came from when reverse proxies stand in front of the platform. Each proxy
 * appends the address it was connected from to X-Forwarded-For, so the header reads
 * `<whatever the client wrote>, <client>, <proxy 1>, …` and only the entries appended by proxies
 * we run can be believed. Walking from the right, past our own proxies, the first other address is
 * the client; everything to its left is the client's own claim (that leftmost entry is what a
 * spoofing client sets, so taking it let anyone pick the address the failed-auth limiter and the
 * audit log saw).
 */
export type ClientAddressResolver = (peer: string | null, forwardedFor: string | undefined) => string | null;

/** `true`: a proxy on this machine. */
const LOOPBACK = ['127.0.0.0/8', '::1'];

/** Parses the trusted proxy list (addresses and CIDRs); throws on an entry that is neither. */
export function trustedProxies(trust: boolean | readonly string[] | undefined): BlockList | null {
  if (!trust || (Array.isArray(trust) && trust.length === 0)) return null;
  const list = new BlockList();
  for (const entry of trust === true ? LOOPBACK : (trust as readonly string[])) {
    const [address = '', prefixText, extra] = entry.trim().split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`trustProxy: "${entry}" is not an IP address or CIDR range`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

const isTrusted = (proxies: BlockList, address: string) => {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

export function clientAddressResolver(trust: boolean | readonly string[] | undefined): ClientAddressResolver {
  const proxies = trustedProxies(trust);
  return (peer, forwardedFor) => {
    // A connection that does not come from one of our proxies wrote its X-Forwarded-For itself.
    if (!proxies || peer === null || !isTrusted(proxies, peer) || !forwardedFor) return peer;
    const hops = forwardedFor.split(',').map((hop) => hop.trim());
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // Not an address at all: the last hop that was one (a proxy of ours) is all we know.
      if (!isIP(hop)) return client;
      client = hop;
      if (!isTrusted(proxies, hop)) return hop;
    }
    return client;
  };
}
