import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { HttpEnv } from '../env';
import { resolveVersion } from '../version';

/** A malformed or too old `Highrise-Version` header. */
export const apiVersionErrors = ['validation_error'] as const satisfies readonly ErrorCode[];

/** Echoes the API version the request is served under (`Highrise-Version`). */
export const apiVersion = (): MiddlewareHandler<HttpEnv> => async (c, next) => {
  c.header('Highrise-Version', resolveVersion(c.req.header('Highrise-Version')));
  await next();
};
