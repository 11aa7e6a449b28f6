import {
  ApiKey,
  ApiKeyCreateParams,
  ApiKeyList,
  ApiKeyRotateParams,
  ApiKeyWithSecret,
  Deleted,
  ListParams,
  TenantApiKeyCreateParams,
} from '@highrise/sdk/schemas';
import {
  createPlatformKey,
  createTenantKey,
  listPlatformKeys,
  listTenantKeys,
  retrievePlatformKey,
  retrieveTenantKey,
  revokePlatformKey,
  revokeTenantKey,
  rotatePlatformKey,
  rotateTenantKey,
  type KeyCreated,
} from '../../domain/api-keys';
import { presentPage } from '../present';
import { presentApiKey } from '../present-identity';
import { route, tenantRoute } from '../route';

const withSecret = ({ key, secret }: KeyCreated) => ({ ...presentApiKey(key), secret });
const revoked = (id: string) => ({ id, object: 'api_key', deleted: true as const });

/** Provider and reseller keys at `/v1/api-keys`; a tenant's keys (admins and end users) under the tenant. */
export const apiKeyRoutes = [
  route({
    method: 'POST',
    path: '/v1/api-keys',
    scope: 'platform',
    permission: 'keys:manage',
    operationId: 'createApiKey',
    summary: "Create a provider or reseller key (the provider names `resellerId` for a reseller's key); the secret is shown once",
    body: ApiKeyCreateParams,
    response: { status: 201, schema: ApiKeyWithSecret, description: 'The key and its secret' },
    handle: async ({ services, actor, body }) => withSecret(await createPlatformKey(services.domain, actor, body)),
  }),
  route({
    method: 'GET',
    path: '/v1/api-keys',
    scope: 'platform',
    permission: 'keys:manage',
    operationId: 'listApiKeys',
    summary: "List the caller's level's keys (the provider's, or the calling reseller's)",
    query: ListParams,
    response: { status: 200, schema: ApiKeyList, description: 'One page of keys, without secrets' },
    handle: async ({ services, principal, query }) => presentPage(await listPlatformKeys(services.domain, principal, { limit: query.limit, after: query.cursor }), presentApiKey),
  }),
  route({
    method: 'GET',
    path: '/v1/api-keys/{keyId}',
    scope: 'platform',
    permission: 'keys:manage',
    operationId: 'retrieveApiKey',
    summary: 'Retrieve a provider or reseller key',
    response: { status: 200, schema: ApiKey, description: 'The key, without its secret' },
    handle: async ({ services, principal, params }) => presentApiKey(await retrievePlatformKey(services.domain, principal, params.keyId)),
  }),
  route({
    method: 'POST',
    path: '/v1/api-keys/{keyId}/rotate',
    scope: 'platform',
    permission: 'keys:manage',
    operationId: 'rotateApiKey',
    summary: 'Give a key a new secret; the old one works for `gracePeriodSeconds` more (default 24 h, 0 = stops now)',
    body: ApiKeyRotateParams,
    response: { status: 200, schema: ApiKeyWithSecret, description: 'The key and its new secret' },
    handle: async ({ services, actor, params, body }) => withSecret(await rotatePlatformKey(services.domain, actor, params.keyId, body.gracePeriodSeconds)),
  }),
  route({
    method: 'DELETE',
    path: '/v1/api-keys/{keyId}',
    scope: 'platform',
    permission: 'keys:manage',
    operationId: 'revokeApiKey',
    summary: 'Revoke a key: it answers 401 from now on',
    response: { status: 200, schema: Deleted, description: 'The key is revoked' },
    handle: async ({ services, actor, params }) => {
      await revokePlatformKey(services.domain, actor, params.keyId);
      return revoked(params.keyId);
    },
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/api-keys',
    permission: 'keys:manage',
    operationId: 'createTenantApiKey',
    summary: 'Create a tenant key with a role, or (with `extension`) an end user key; the secret is shown once',
    body: TenantApiKeyCreateParams,
    response: { status: 201, schema: ApiKeyWithSecret, description: 'The key and its secret' },
    handle: async ({ services, actor, tenant, body }) => withSecret(await createTenantKey(services.domain, actor, tenant, body)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/api-keys',
    permission: 'keys:manage',
    operationId: 'listTenantApiKeys',
    summary: "List a tenant's keys",
    query: ListParams,
    response: { status: 200, schema: ApiKeyList, description: 'One page of keys, without secrets' },
    handle: async ({ services, tenant, query }) => presentPage(await listTenantKeys(services.domain, tenant, { limit: query.limit, after: query.cursor }), presentApiKey),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
    permission: 'keys:manage',
    operationId: 'retrieveTenantApiKey',
    summary: 'Retrieve a tenant key',
    response: { status: 200, schema: ApiKey, description: 'The key, without its secret' },
    handle: async ({ services, tenant, params }) => presentApiKey(await retrieveTenantKey(services.domain, tenant, params.keyId)),
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/api-keys/{keyId}/rotate',
    permission: 'keys:manage',
    operationId: 'rotateTenantApiKey',
    summary: 'Give a tenant key a new secret; the old one works for `gracePeriodSeconds` more',
    body: ApiKeyRotateParams,
    response: { status: 200, schema: ApiKeyWithSecret, description: 'The key and its new secret' },
    handle: async ({ services, actor, tenant, params, body }) =>
      withSecret(await rotateTenantKey(services.domain, actor, tenant, params.keyId, body.gracePeriodSeconds)),
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
    permission: 'keys:manage',
    operationId: 'revokeTenantApiKey',
    summary: 'Revoke a tenant key: it answers 401 from now on',
    response: { status: 200, schema: Deleted, description: 'The key is revoked' },
    handle: async ({ services, actor, tenant, params }) => {
      await revokeTenantKey(services.domain, actor, tenant, params.keyId);
      return revoked(params.keyId);
    },
  }),
];
