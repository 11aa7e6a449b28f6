/**
 * Issue 9's "the REGISTER rate does not drop": on the async store a REGISTER must still be answered
 * from the edge's in-memory directory, with no store call and no await on the way. The real store
 * (SQLite in memory), the real directory cache and the real router; the store is only watched: every
 * method call reached through it is counted, so a lookup that slips back to the database shows up
 * here as a count, not as a slower benchmark.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import type { Store } from '../store/types';
import type { DomainContext } from '../domain/context';
import { auditKeyFrom } from '../domain/audit-key';
import { createExtension } from '../domain/extensions';
import type { Actor } from '../domain/principal';
import { createSipDirectory } from '../domain/sip-directory';
import { SipDirectoryCache } from '../domain/sip-directory-cache';
import { loadPlatformSecret } from '../domain/softphone-tokens';
import { accessTenant, createTenant } from '../domain/tenants';
import { md5 } from './digest';
import { header } from './message';
import { SipRouter } from './router';
import { fakeConnection, requestFrame } from './testing';

const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null };
const PASSWORD = 'a-long-sip-password-401';

let ctx: DomainContext;
let cache: SipDirectoryCache | undefined;
let router: SipRouter | undefined;

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
});
afterEach(async () => {
  router?.close();
  cache?.stop();
  await ctx.store.close();
});

/** The store, with every method call made through it (or through what its methods return) counted. */
function watched(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const wrap = <T extends object>(target: T, path: string): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value: unknown = Reflect.get(object, key, receiver);
        if (typeof value !== 'function') return value !== null && typeof value === 'object' && !(value instanceof Promise) ? wrap(value, `${path}.${String(key)}`) : value;
        return (...args: unknown[]) => {
          calls.push(`${path}.${String(key)}`);
          // Called on the real object: stores keep private fields a proxy cannot reach.
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
          return result !== null && typeof result === 'object' && !(result instanceof Promise) ? wrap(result, `${path}.${String(key)}()`) : result;
        };
      },
    });
  return { store: wrap(store, 'store'), calls };
}

describe('a REGISTER on the async store', () => {
  it('is answered from memory: no store call and no await for the challenge, the digest REGISTER or a refresh', async () => {
    const { tenant } = await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' });
    const acme = await accessTenant(ctx, provider.principal, tenant.id);
    await createExtension(ctx, provider, acme, { number: '401', displayName: 'Desk', sipPassword: PASSWORD });
    const { store, calls } = watched(ctx.store);
    cache = new SipDirectoryCache(store);
    await cache.start();
    const directory = createSipDirectory({ ...ctx, store }, await loadPlatformSecret(ctx.store), cache);
    router = new SipRouter(directory, () => {});
    const domain = 'acme.sip.localhost';
    const aor = `sip:401@${domain}`;
    const phone = fakeConnection();
    const register = (cseq: number, headers: string[] = []) =>
      requestFrame({ method: 'REGISTER', uri: `sip:${domain}`, from: `<${aor}>;tag=r`, to: `<${aor}>`, callId: 'reg-1', cseq, headers: ['Contact: <sip:401@desk.invalid;transport=ws>', ...headers] });
    const authorization = (nonce: string, nc: string) => {
      const cnonce = randomBytes(6).toString('hex');
      const response = md5(`${md5(`401:${domain}:${PASSWORD}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`REGISTER:sip:${domain}`)}`);
      return `Authorization: Digest username="401", realm="${domain}", nonce="${nonce}", uri="sip:${domain}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
    };
    const loadCalls = calls.length;
    expect(loadCalls).toBeGreaterThan(0); // the watch sees the cache's own load

    // Each answer is checked right after handleFrame returns: nothing was awaited on the way.
    router.handleFrame(phone.connection, register(1));
    const [challenge] = phone.responses(401);
    const nonce = /nonce="([^"]+)"/.exec(header(challenge!, 'www-authenticate') ?? '')![1]!;
    router.handleFrame(phone.connection, register(2, [authorization(nonce, '00000001')]));
    expect(phone.responses(200)).toHaveLength(1);
    // A refresh inside the nonce's lifetime, credentials up front: the bench's digest REGISTER.
    for (let i = 2; i <= 50; i++) router.handleFrame(phone.connection, register(i + 1, [authorization(nonce, String(i).padStart(8, '0'))]));
    expect(phone.responses(200)).toHaveLength(50);
    expect(phone.responses().length).toBe(51);

    expect(calls.slice(loadCalls)).toEqual([]);
  });
});
