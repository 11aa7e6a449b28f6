import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { route, tenantRoute } from './route';

const spec = { method: 'GET' as const, operationId: 'probe', summary: 'probe', response: { status: 200, schema: z.object({}), description: 'probe' }, handle: () => ({}) };

describe('route declarations', () => {
  it('refuse a tenant path declared without the tenant gate', () => {
    expect(() => route({ ...spec, scope: 'platform', path: '/v1/tenants/{tenantId}/probe' })).toThrow(/tenantRoute/);
  });

  it('refuse a tenant route outside /v1/tenants/{tenantId}', () => {
    expect(() => tenantRoute({ ...spec, path: '/v1/probe' })).toThrow(/must live under/);
  });
});
