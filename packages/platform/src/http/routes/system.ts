import { Health, OpenApiDocument } from '@highrise/sdk/schemas';
import { publicRoute } from '../route';

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
    response: { status: 200, schema: OpenApiDocument, description: 'The OpenAPI document' },
    handle: ({ services }) => services.openapi() as { openapi: string },
  }),
];
