import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { HttpEnv } from '../env';
import { resolveVersion } from '../version';

/** A malformed `Highrise-Version` header, or a date that names no version. */
export const apiVersionErrors = ['validation_error', 'api_version_unknown'] as const satisfies readonly ErrorCode[];

/**
 * Resolves the API version the request is served in, for the handler step (which renders JSON in
 * it) and idempotent replays, and echoes it (`Highrise-Version`).
 */
export const apiVersion = (): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const version = resolveVersion(c.req.header('Highrise-Version'));
  c.set('version', version);
  c.header('Highrise-Version', version);
  await next();
};
