import type { ErrorCode, Permission } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { HttpEnv } from '../env';
import { HttpError } from '../errors';

export const permissionErrors = ['permission_denied'] as const satisfies readonly ErrorCode[];

/**
 * The one permission check, after the tenant gate: a same-tenant key without the permission learns
 * only that it lacks it, a foreign one has already had its 404.
 */
export const requirePermission = (permission: Permission): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const principal = c.get('principal');
  if (principal && !principal.permissions.has(permission)) {
    throw new HttpError('permission_denied', `this key's role lacks ${permission}`, [{ field: 'permissions', issue: `missing ${permission}` }]);
  }
  await next();
};
