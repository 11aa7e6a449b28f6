/**
 * Provisioning through the platform's public HTTP API, for SIP tests: plain fetch, so these tests
 * depend on the API contract and not on the SDK's state of the day.
 */
export interface ProvisionedTenant {
  id: string;
  slug: string;
  sipDomain: string;
}

export async function api<T>(baseUrl: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export async function createTenant(baseUrl: string, key: string, name: string, slug: string): Promise<ProvisionedTenant> {
  const { tenant } = await api<{ tenant: ProvisionedTenant }>(baseUrl, key, 'POST', '/v1/tenants', { name, slug });
  return tenant;
}

export async function createExtension(baseUrl: string, key: string, tenantId: string, number: string, sipPassword: string): Promise<void> {
  await api(baseUrl, key, 'POST', `/v1/tenants/${tenantId}/extensions`, { number, displayName: `Ext ${number}`, sipPassword });
}

export async function createSoftphoneToken(baseUrl: string, key: string, tenantId: string, extension: string, ttlSeconds = 600): Promise<string> {
  const { token } = await api<{ token: string }>(baseUrl, key, 'POST', `/v1/tenants/${tenantId}/softphone-tokens`, { extension, ttlSeconds });
  return token;
}
