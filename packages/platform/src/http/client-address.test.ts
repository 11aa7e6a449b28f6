import { describe, expect, it } from 'vitest';
import { clientAddressResolver, trustedProxies } from './client-address';

describe('the client address behind trusted proxies', () => {
  const behind = clientAddressResolver(['10.0.0.0/8', '::1', '127.0.0.1']);

  it('takes the rightmost address that is not a trusted proxy, never the spoofable leftmost', () => {
    expect(behind('10.0.0.5', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(behind('10.0.0.5', '198.51.100.1, 203.0.113.7, 10.1.2.3')).toBe('203.0.113.7');
    expect(behind('::1', '203.0.113.7')).toBe('203.0.113.7');
    expect(behind('::ffff:127.0.0.1', '203.0.113.7'), 'an IPv4-mapped peer is the IPv4 address').toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy, or when nothing is trusted', () => {
    expect(behind('203.0.113.50', '10.0.0.9')).toBe('203.0.113.50');
    expect(clientAddressResolver(undefined)('203.0.113.50', '198.51.100.1')).toBe('203.0.113.50');
    expect(clientAddressResolver(false)('127.0.0.1', '198.51.100.1')).toBe('127.0.0.1');
    expect(clientAddressResolver([])('127.0.0.1', '198.51.100.1')).toBe('127.0.0.1');
  });

  it('trusts loopback proxies for `true`', () => {
    const local = clientAddressResolver(true);
    expect(local('127.0.0.1', 'spoofed, 203.0.113.7')).toBe('203.0.113.7');
    expect(local('10.0.0.5', '203.0.113.7')).toBe('10.0.0.5');
  });

  it('stops at a hop that is not an address, keeping the last proxy that was', () => {
    expect(behind('10.0.0.5', '203.0.113.7, garbage')).toBe('10.0.0.5');
    expect(behind('10.0.0.5', '203.0.113.7, garbage, 10.0.0.6')).toBe('10.0.0.6');
    expect(behind('10.0.0.5', '')).toBe('10.0.0.5');
  });

  it('uses the leftmost hop when every hop is a trusted proxy', () => {
    expect(behind('10.0.0.5', '10.0.0.7, 10.0.0.6')).toBe('10.0.0.7');
  });

  it('refuses a proxy list entry that is neither an address nor a CIDR range', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.0/8/1', '::1/129', '']) expect(() => trustedProxies([bad]), bad).toThrow(/trustProxy/);
    expect(trustedProxies(['192.168.0.0/16', 'fd00::/8'])).not.toBeNull();
  });
});
