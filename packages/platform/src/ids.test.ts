import { describe, expect, it } from 'vitest';
import { TenantId } from '@highrise/sdk/schemas';
import { newId } from './ids';

describe('newId', () => {
  it('makes ids the API schemas accept', () => {
    expect(TenantId.safeParse(newId('ten')).success).toBe(true);
    expect(newId('ext')).toMatch(/^ext_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts ids in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newId('ext'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts by time across milliseconds', () => {
    const earlier = newId('evt', Date.UTC(2030, 0, 1));
    const later = newId('evt', Date.UTC(2030, 0, 1) + 1);
    expect(earlier < later).toBe(true);
  });

  it('never goes backwards when the clock does', () => {
    const a = newId('key', Date.UTC(2031, 0, 1));
    const b = newId('key', Date.UTC(2020, 0, 1));
    expect(a < b).toBe(true);
  });
});
