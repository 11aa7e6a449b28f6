import { z } from 'zod';
import { publicRoute } from '../route';

const Health = z.object({ ok: z.literal(true) }).meta({ id: 'Health' });

export const systemRoutes = [
  publicRoute({
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness check',
    response: { status: 200, schema: Health, description: 'The platform is up' },
    handle: () => ({ ok: true as const }),
  }),
  publicRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    response: { status: 200, schema: z.looseObject({ openapi: z.string() }), description: 'The OpenAPI document' },
    handle: ({ services }) => services.openapi() as { openapi: string },
  }),
];
