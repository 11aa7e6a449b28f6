import { describe, expect, it } from 'vitest';
import { HttpError } from './errors';
import { API_VERSIONS, LATEST_VERSION, renderForVersion, resolveVersion } from './version';

const tenant = (status: string) => ({ id: 'ten_1', object: 'tenant', status, deletedAt: status === 'deleted' ? '2026-12-01T00:00:00.000Z' : null, purgeAt: null, name: 'Acme' });

describe('API versions', () => {
  it('are dated, in order, each after the first with a changelog and a shim', () => {
    const dates = API_VERSIONS.map((v) => v.version);
    expect(dates).toEqual([...dates].sort());
    for (const v of API_VERSIONS.slice(1)) {
      expect(v.changes.length).toBeGreaterThan(0);
      expect(v.previous).toBeDefined();
    }
  });

  it('resolves a named version, the latest for none, and refuses an unknown or malformed one with stable codes', () => {
    expect(resolveVersion(undefined)).toBe(LATEST_VERSION);
    expect(resolveVersion(' 2026-11-01 ')).toBe('2026-11-01');
    const code = (value: string) => {
      try {
        resolveVersion(value);
      } catch (error) {
        return (error as HttpError).code;
      }
      return undefined;
    };
    expect(code('2026-11-02')).toBe('api_version_unknown');
    expect(code('2999-01-01')).toBe('api_version_unknown');
    expect(code('2026-02-30')).toBe('validation_error');
    expect(code('yesterday')).toBe('validation_error');
  });

  it('renders a tenant anywhere in a body the way 2026-11-01 showed it, and leaves the latest untouched', () => {
    const body = { data: [tenant('deleted'), tenant('active')], nextCursor: null, nested: { tenant: tenant('suspended') } };
    expect(renderForVersion(LATEST_VERSION, body)).toBe(body);
    expect(renderForVersion('2026-11-01', body)).toEqual({
      data: [
        { id: 'ten_1', object: 'tenant', status: 'suspended', name: 'Acme' },
        { id: 'ten_1', object: 'tenant', status: 'active', name: 'Acme' },
      ],
      nextCursor: null,
      nested: { tenant: { id: 'ten_1', object: 'tenant', status: 'suspended', name: 'Acme' } },
    });
    // Other objects pass through as they are.
    expect(renderForVersion('2026-11-01', { object: 'extension', status: 'deleted', deletedAt: 'x' })).toEqual({ object: 'extension', status: 'deleted', deletedAt: 'x' });
  });
});
