import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { HttpEnv } from '../env';
import { validate } from '../validation';

export const validationErrors = ['validation_error'] as const satisfies readonly ErrorCode[];

/** The query string against the route's schema; runs before the body is read. */
export const validateQuery = (schema: z.ZodType): MiddlewareHandler<HttpEnv> => async (c, next) => {
  c.set('query', validate(schema, c.req.query(), 'query'));
  await next();
};

/**
 * The parsed JSON body (body.ts) against the route's schema. It runs inside the idempotency claim,
 * so an invalid body releases the key instead of being remembered as the answer.
 */
export const validateBody = (schema: z.ZodType): MiddlewareHandler<HttpEnv> => async (c, next) => {
  c.set('body', validate(schema, c.get('json'), 'body'));
  await next();
};
