import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes';
import { HttpError } from './errors';
import { errorCodesOf } from './pipeline';
import { routeTable } from './routes/index';

const find = (method: string, path: string) => {
  const route = routeTable.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no ${method} ${path}`);
  return route;
};

describe('error codes', () => {
  it('give an HttpError the status of its code', () => {
    expect(new HttpError('idempotency_key_in_use', 'busy').status).toBe(409);
    expect(new HttpError('payload_too_large', 'big').status).toBe(413);
    expect(ERROR_CODES.rate_limited.status).toBe(429);
  });
});

describe('the codes a route can answer, derived from its pipeline', () => {
  it('cover every step of a tenant-scoped create', () => {
    const codes = errorCodesOf(find('POST', '/v1/tenants/{tenantId}/extensions'));
    // auth, tenant gate, permission, JSON body, idempotency, validation, and the handler's own.
    for (const code of ['unauthenticated', 'tenant_suspended', 'rate_limited', 'not_found', 'permission_denied', 'payload_too_large', 'validation_error', 'idempotency_key_in_use', 'idempotency_key_reused', 'extension_exists', 'limit_exceeded', 'internal_error'] as const) {
      expect(codes, code).toContain(code);
    }
  });

  it('leave out the steps a route does not have', () => {
    const read = errorCodesOf(find('GET', '/v1/tenants/{tenantId}/extensions'));
    expect(read).not.toContain('payload_too_large');
    expect(read).not.toContain('idempotency_key_reused');
    const health = errorCodesOf(find('GET', '/healthz'));
    expect(health).not.toContain('unauthenticated');
    expect(health).not.toContain('permission_denied');
    // Only a provider or platform route refuses a key for its kind before any tenant is named.
    expect(errorCodesOf(find('GET', '/v1/tenants'))).not.toContain('not_found');
    expect(errorCodesOf(find('POST', '/v1/tenants'))).toContain('permission_denied');
  });

  it('refuse a deleted tenant\'s writes, but not its reads or its restore', () => {
    // The deleted-tenant step answers invalid_state (suspend declares no such code of its own).
    expect(errorCodesOf(find('POST', '/v1/tenants/{tenantId}/suspend'))).toContain('invalid_state');
    expect(errorCodesOf(find('GET', '/v1/tenants/{tenantId}/extensions'))).not.toContain('invalid_state');
    const restore = find('POST', '/v1/tenants/{tenantId}/restore');
    expect(restore.allowDeletedTenant).toBe(true);
  });
});
