import type { ApiKey, Role } from '@highrise/sdk/schemas';
import type { ApiKeyView } from '../domain/api-keys';
import type { RoleView } from '../domain/roles';

/** Identity records in the exact shapes of the SDK schemas. */

export const presentApiKey = (k: ApiKeyView): ApiKey => ({
  id: k.id,
  object: 'api_key',
  name: k.name,
  principal: k.extensionId !== null ? 'user' : k.principal,
  resellerId: k.resellerId,
  tenantId: k.tenantId,
  extension: k.extension,
  roleId: k.roleId,
  permissions: k.permissions,
  prefix: k.prefix,
  expiresAt: k.expiresAt,
  lastUsedAt: k.lastUsedAt,
  previousSecretExpiresAt: k.previousExpiresAt,
  createdAt: k.createdAt,
});

export const presentRole = (r: RoleView): Role => ({
  id: r.id,
  object: 'role',
  name: r.name,
  description: r.description,
  level: r.level,
  builtIn: r.builtIn,
  tenantId: r.tenantId,
  resellerId: r.resellerId,
  permissions: r.permissions as Role['permissions'],
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});
