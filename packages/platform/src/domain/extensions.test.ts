import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite';
import type { DomainContext } from './context';
import { ExtensionExists, LimitExceeded, NotFound } from './errors';
import { createExtension, deleteExtension, listExtensions, retrieveExtension, updateExtension } from './extensions';
import type { Actor } from './principal';
import { accessTenant, createTenant, type TenantAccess } from './tenants';
import { auditKeyFrom } from './audit-key';

let ctx: DomainContext;
let acme: TenantAccess;
let globex: TenantAccess;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null };
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

beforeEach(() => {
  ctx = { store: openSqliteStore({ filename: ':memory:' }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  acme = accessTenant(ctx, provider.principal, createTenant(ctx, provider, { name: 'Acme', slug: 'acme', limits: { extensions: 3 } }).tenant.id);
  globex = accessTenant(ctx, provider.principal, createTenant(ctx, provider, { name: 'Globex', slug: 'globex' }).tenant.id);
});
afterEach(() => ctx.store.close());

describe('extensions', () => {
  it('store only the digest HA1 of the password, with the tenant domain as realm', () => {
    const { extension, sipPassword } = createExtension(ctx, provider, acme, { number: '101', displayName: 'Front desk', sipPassword: 'correct-horse-battery' });
    expect(sipPassword).toBe('correct-horse-battery');
    expect(extension.sipUri).toBe('sip:101@acme.sip.localhost');
    expect(extension).not.toHaveProperty('ha1');
    expect(acme.scope.extensions.get(extension.id)?.ha1).toBe(md5('101:acme.sip.localhost:correct-horse-battery'));
  });

  it('generate a strong password when none is given', () => {
    const a = createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    const b = createExtension(ctx, provider, acme, { number: '102', displayName: 'B' });
    expect(a.sipPassword).toMatch(/^[0-9A-Za-z]{20}$/);
    expect(a.sipPassword).not.toBe(b.sipPassword);
  });

  it('allow 101 in two tenants but not twice in one', () => {
    createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    expect(() => createExtension(ctx, provider, globex, { number: '101', displayName: 'G' })).not.toThrow();
    expect(() => createExtension(ctx, provider, acme, { number: '101', displayName: 'again' })).toThrow(ExtensionExists);
  });

  it('stop at the tenant limit', () => {
    for (const n of ['101', '102', '103']) createExtension(ctx, provider, acme, { number: n, displayName: n });
    expect(() => createExtension(ctx, provider, acme, { number: '104', displayName: '104' })).toThrow(LimitExceeded);
  });

  it('are not found through another tenant', () => {
    const { extension } = createExtension(ctx, provider, globex, { number: '101', displayName: 'G' });
    expect(() => retrieveExtension(acme, extension.id)).toThrow(NotFound);
    expect(() => updateExtension(ctx, provider, acme, extension.id, { displayName: 'x' })).toThrow(NotFound);
    expect(() => deleteExtension(ctx, provider, acme, extension.id)).toThrow(NotFound);
    expect(retrieveExtension(globex, extension.id).displayName).toBe('G');
  });

  it('update the display name and re-hash a new password', () => {
    const { extension } = createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    const updated = updateExtension(ctx, provider, acme, extension.id, { displayName: 'B', sipPassword: 'another-long-password' });
    expect(updated.displayName).toBe('B');
    expect(acme.scope.extensions.get(extension.id)?.ha1).toBe(md5('101:acme.sip.localhost:another-long-password'));
  });

  it('delete and audit every change', () => {
    const { extension } = createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    updateExtension(ctx, provider, acme, extension.id, { displayName: 'B' });
    deleteExtension(ctx, provider, acme, extension.id);
    expect(listExtensions(acme, { limit: 10 }).items).toEqual([]);
    const actions = acme.scope.auditEvents.list({ limit: 10 }).items.map((e) => e.action);
    expect(actions).toEqual(['tenant.created', 'extension.created', 'extension.updated', 'extension.deleted']);
  });
});
