import type { MiddlewareHandler } from 'hono';
import { newId } from '../../ids';
import type { HttpEnv } from '../env';

/** Names every request (`Request-Id`, echoed in error bodies and logs); the first middleware of all. */
export const requestId = (): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const id = newId('req');
  c.set('requestId', id);
  c.header('Request-Id', id);
  await next();
};
