import { describe, expect, it } from 'vitest';
import { MAX_URI_LENGTH, parseUri, URI_CACHE_MAX_BYTES, uriCacheStats } from './header-values';

describe('the URI cache', () => {
  it('keeps no URI that does not parse, and never reads one past the length cap', () => {
    const before = uriCacheStats();
    for (let i = 0; i < 200; i++) expect(parseUri(`sip:${'%'.repeat(i % 7)}<bad>${i}@`)).toBeUndefined();
    expect(parseUri(`sip:${'a'.repeat(MAX_URI_LENGTH)}@x.invalid`)).toBeUndefined();
    expect(uriCacheStats()).toEqual(before);
    expect(parseUri(`sip:${'a'.repeat(MAX_URI_LENGTH - 20)}@x.invalid`)?.host).toBe('x.invalid');
  });

  it('stays under its byte bound however many long URIs it is fed', () => {
    for (let i = 0; i < 20_000; i++) parseUri(`sip:u${i}${'a'.repeat(900)}@cache.invalid;transport=ws`);
    const { entries, bytes } = uriCacheStats();
    expect(bytes).toBeLessThanOrEqual(URI_CACHE_MAX_BYTES);
    expect(entries).toBeLessThan(20_000);
    // Still a cache: the newest entry answers with the very same object.
    const last = `sip:u19999${'a'.repeat(900)}@cache.invalid;transport=ws`;
    expect(parseUri(last)).toBe(parseUri(last));
  });
});
