import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import { isTenantLevel } from '../../domain/principal';
import type { HttpEnv } from '../env';
import { HttpError } from '../errors';
import type { Scope } from '../route';

/** What each scope can answer: no key at all, or a key of the wrong kind. */
export const scopeErrors = (scope: Scope): readonly ErrorCode[] =>
  scope === 'public' ? [] : scope === 'provider' || scope === 'platform' ? ['unauthenticated', 'permission_denied'] : ['unauthenticated'];

/** Who may call the route at all (route.ts `Scope`); a public route installs none. */
export const requireScope = (scope: Exclude<Scope, 'public'>): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const principal = c.get('principal');
  if (!principal) throw new HttpError('unauthenticated', 'send an API key as `Authorization: Bearer <key>`');
  if (scope === 'provider' && principal.kind !== 'provider') throw new HttpError('permission_denied', 'only provider keys may do this');
  if (scope === 'platform' && isTenantLevel(principal)) throw new HttpError('permission_denied', 'tenant keys may not do this');
  await next();
};
