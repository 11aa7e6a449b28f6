import { z } from 'zod';
import { errorResponsesOf } from './openapi-errors';
import type { RouteDef } from './route';
import { SUPPORTED_VERSIONS } from './version';

const componentRef = (id: string) => `#/components/schemas/${id}`;
const idOf = (schema: z.ZodType) => z.globalRegistry.get(schema)?.id as string | undefined;

type JsonSchema = Record<string, unknown>;

/** A schema with an id becomes a `$ref`; an anonymous one is inlined. */
function schemaRef(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = idOf(schema);
  if (id) return { $ref: componentRef(id) };
  const { $schema: _dialect, ...inline } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return inline;
}

function queryParameters(schema: z.ZodType): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: schemaRef(field, 'input'),
  }));
}

/** OpenAPI 3.1 for the route table; component schemas come from the SDK's zod schemas by their ids. */
export function buildOpenApi(routes: readonly RouteDef[], info: { version: string }): JsonSchema {
  const params = { uri: componentRef, unrepresentable: 'any' as const };
  const outputs = z.toJSONSchema(z.globalRegistry, { ...params, io: 'output' }).schemas as Record<string, JsonSchema>;
  const inputs = z.toJSONSchema(z.globalRegistry, { ...params, io: 'input' }).schemas as Record<string, JsonSchema>;
  const schemas: Record<string, JsonSchema> = { ...outputs };
  // Request bodies are described as clients send them (defaults optional), responses as servers send them.
  for (const r of routes) {
    const id = r.body && idOf(r.body);
    if (id && inputs[id]) schemas[id] = inputs[id];
  }
  // A component is addressed by its place in the document; a fragment `$id` is not valid 2020-12.
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }

  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const versioned = r.path.startsWith('/v1/');
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      'x-highrise-scope': r.scope,
      ...(r.permission ? { 'x-highrise-permission': r.permission } : {}),
      security: r.scope === 'public' ? [] : [{ apiKey: [] }],
      parameters: [
        ...pathParams,
        ...(r.query ? queryParameters(r.query) : []),
        ...(versioned ? [{ $ref: '#/components/parameters/HighriseVersion' }] : []),
        ...(r.method === 'POST' && versioned ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
      ],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(r.body, 'input') } } } } : {}),
      responses: {
        [String(r.response.status)]: { description: r.response.description, content: { 'application/json': { schema: schemaRef(r.response.schema, 'output') } } },
        ...errorResponsesOf(r, componentRef('Error')),
      },
    };
  }

  return {
    openapi: '3.1.0',
    info: { title: 'Highrise API', version: info.version, description: 'Multi-tenant business telephony.' },
    paths,
    components: {
      schemas,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer hr_live_…`' } },
      parameters: {
        HighriseVersion: {
          name: 'Highrise-Version',
          in: 'header',
          required: false,
          description: `API version (YYYY-MM-DD). Supported: ${SUPPORTED_VERSIONS.join(', ')}; the response echoes the version used.`,
          schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'The same key with the same body bytes (per API key, within 24 h) returns the first response with `Idempotent-Replayed: true`; other bytes get 422 `idempotency_key_reused`. A claim left unfinished for 60 s counts as abandoned.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
      },
    },
  };
}
