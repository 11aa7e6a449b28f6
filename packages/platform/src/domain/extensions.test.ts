import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
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

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  acme = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme', limits: { extensions: 3 } })).tenant.id);
  globex = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Globex', slug: 'globex' })).tenant.id);
});
afterEach(() => ctx.store.close());

describe('extensions', () => {
  it('store only the digest HA1 of the password, with the tenant domain as realm', async () => {
    const { extension, sipPassword } = await createExtension(ctx, provider, acme, { number: '101', displayName: 'Front desk', sipPassword: 'correct-horse-battery' });
    expect(sipPassword).toBe('correct-horse-battery');
    expect(extension.sipUri).toBe('sip:101@acme.sip.localhost');
    expect(extension).not.toHaveProperty('ha1');
    expect((await acme.scope.extensions.get(extension.id))?.ha1).toBe(md5('101:acme.sip.localhost:correct-horse-battery'));
  });

  it('generate a strong password when none is given', async () => {
    const a = await createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    const b = await createExtension(ctx, provider, acme, { number: '102', displayName: 'B' });
    expect(a.sipPassword).toMatch(/^[0-9A-Za-z]{20}$/);
    expect(a.sipPassword).not.toBe(b.sipPassword);
  });

  it('allow 101 in two tenants but not twice in one', async () => {
    await createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    await expect(createExtension(ctx, provider, globex, { number: '101', displayName: 'G' })).resolves.toBeDefined();
    await expect(createExtension(ctx, provider, acme, { number: '101', displayName: 'again' })).rejects.toThrow(ExtensionExists);
  });

  it('stop at the tenant limit', async () => {
    for (const n of ['101', '102', '103']) await createExtension(ctx, provider, acme, { number: n, displayName: n });
    await expect(createExtension(ctx, provider, acme, { number: '104', displayName: '104' })).rejects.toThrow(LimitExceeded);
  });

  it('are not found through another tenant', async () => {
    const { extension } = await createExtension(ctx, provider, globex, { number: '101', displayName: 'G' });
    await expect(retrieveExtension(acme, extension.id)).rejects.toThrow(NotFound);
    await expect(updateExtension(ctx, provider, acme, extension.id, { displayName: 'x' })).rejects.toThrow(NotFound);
    await expect(deleteExtension(ctx, provider, acme, extension.id)).rejects.toThrow(NotFound);
    expect((await retrieveExtension(globex, extension.id)).displayName).toBe('G');
  });

  it('update the display name and re-hash a new password', async () => {
    const { extension } = await createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    const updated = await updateExtension(ctx, provider, acme, extension.id, { displayName: 'B', sipPassword: 'another-long-password' });
    expect(updated.displayName).toBe('B');
    expect((await acme.scope.extensions.get(extension.id))?.ha1).toBe(md5('101:acme.sip.localhost:another-long-password'));
  });

  it('delete and audit every change', async () => {
    const { extension } = await createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
    await updateExtension(ctx, provider, acme, extension.id, { displayName: 'B' });
    await deleteExtension(ctx, provider, acme, extension.id);
    expect((await listExtensions(acme, { limit: 10 })).items).toEqual([]);
    const actions = (await acme.scope.auditEvents.list({ limit: 10 })).items.map((e) => e.action);
    expect(actions).toEqual(['tenant.created', 'extension.created', 'extension.updated', 'extension.deleted']);
  });
});
