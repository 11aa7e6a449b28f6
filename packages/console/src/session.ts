// Signing in: the key lives in this Highrise client (a private field) and nowhere else — not in
// localStorage, not in the URL — so closing or reloading the tab signs out.
import { Highrise, PermissionDeniedError, type Tenant } from '@highrise/sdk';

/** What the key may see decides the views: the platform has no "who am I" route, so the console asks. */
export type Role = { kind: 'provider' } | { kind: 'reseller' } | { kind: 'tenant'; tenant: Tenant };

export interface Session {
  hr: Highrise;
  role: Role;
}

export async function signIn(apiKey: string, baseUrl: string = location.origin): Promise<Session> {
  // An operator console behind a sign-in is the case the SDK's browser guard names.
  const hr = new Highrise({ baseUrl, apiKey, dangerouslyAllowBrowser: true, maxRetries: 1, timeout: 15_000 });
  // A tenant-level key gets 403 on the cross-tenant summary; it then sees exactly one tenant, its own.
  // (401 for a wrong key surfaces here as AuthenticationError.)
  const tenants = await hr.tenants.list({ limit: 2 });
  const crossTenant = await allowed(() => hr.analytics.summary({ interval: 'day' }));
  if (!crossTenant) {
    const own = tenants.data[0];
    if (!own || tenants.data.length > 1) throw new Error('this key sees no single tenant and no analytics');
    return { hr, role: { kind: 'tenant', tenant: own } };
  }
  // Only the provider may list resellers.
  const provider = await allowed(() => hr.resellers.list({ limit: 1 }));
  return { hr, role: { kind: provider ? 'provider' : 'reseller' } };
}

async function allowed(call: () => PromiseLike<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (e) {
    if (e instanceof PermissionDeniedError) return false;
    throw e;
  }
}
