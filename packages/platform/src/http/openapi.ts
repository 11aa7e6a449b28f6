import { z } from 'zod';
import type { ErrorCode } from '@highrise/sdk/schemas';
import { errorResponsesOf } from './openapi-errors';
import type { DocumentedHeader, RouteDef } from './route';
import { API_VERSIONS } from './version';
import { tagList, tagOf } from './openapi-tags';
import { webhookHeaderParameters, webhookOperations } from './openapi-webhooks';

type JsonSchema = Record<string, unknown>;

const componentRef = (id: string) => `#/components/schemas/${id}`;
const idOf = (schema: z.ZodType) => z.globalRegistry.get(schema)?.id as string | undefined;
const isJsonMediaType = (type: string) => /^application\/(?:[\w.+-]+\+)?json$/.test(type);
/** JSON Lines: the schema describes one line (OpenAPI 3.1 has no item schema of its own). */
const isJsonLinesMediaType = (type: string) => type === 'application/x-ndjson' || type === 'application/jsonl';

export interface OpenApiOptions {
  version: string;
  /** Where the API is reached; default the server that serves the document (a relative `/`). */
  servers?: readonly { url: string; description?: string }[] | undefined;
}

export const REPOSITORY_URL = 'https://github.com/highrise/highrise';

/**
 * Converts schemas that have no id of their own. Zod puts the registered schemas they use under
 * `$defs`, which would dangle in an OpenAPI document (a `#/$defs/…` pointer resolves against the
 * document's root): those become references to the components, and anything else zod extracted
 * (a cycle) becomes a component too.
 */
class InlineConverter {
  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly inputs: Record<string, JsonSchema>,
  ) {}

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const id = idOf(schema);
    if (id) return { $ref: componentRef(id) };
    const { $schema: _dialect, $defs, ...inline } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      this.components[name] ??= this.rewrite(def);
    }
    return this.rewrite(inline);
  }

  /** An object schema's own JSON Schema, also when it has an id (a query's fields become parameters). */
  objectOf(schema: z.ZodType): JsonSchema {
    const id = idOf(schema);
    if (id && this.inputs[id]) return this.inputs[id];
    return this.convert(schema, 'input');
  }

  private rewrite(schema: JsonSchema): JsonSchema {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  }
}

/** A query schema's fields as query parameters, each with its description and whether it is required. */
function queryParameters(converter: InlineConverter, schema: z.ZodType): JsonSchema[] {
  const object = converter.objectOf(schema);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, field]) => {
    const { description, ...fieldSchema } = field;
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: fieldSchema };
  });
}

/** Headers described once and referred to by every response that carries them. */
const headers: Record<string, JsonSchema> = {
  RequestId: {
    description: 'This request’s id (`req_…`), on every response: quote it when reporting a problem.',
    schema: { type: 'string', pattern: '^req_[0-9A-Za-z]{10,40}$' },
  },
  HighriseVersion: {
    description: 'The API version the request was served with (`YYYY-MM-DD`).',
    schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored response to an earlier request with the same `Idempotency-Key`; absent otherwise.',
    schema: { type: 'string', enum: ['true'] },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 0 },
  },
  ShouldRetry: {
    description: '`false` when a retry cannot succeed before `Retry-After` passes (failed authentications from this address): clients must not retry on their own.',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  ContentDisposition: {
    description: 'On downloads (CSV exports, documents): `attachment` with the file’s name.',
    schema: { type: 'string' },
  },
  ETag: { description: 'A strong validator of the body; send it back as `If-None-Match` to get 304.', schema: { type: 'string' } },
  CacheControl: { description: 'How long shared caches may keep the response.', schema: { type: 'string' } },
};
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const DOCUMENTED_HEADERS: Record<DocumentedHeader, string> = { 'Content-Disposition': 'ContentDisposition', ETag: 'ETag', 'Cache-Control': 'CacheControl' };
/** Every response carries these (the app sets them before any route runs). */
const commonHeaders = { 'Request-Id': headerRef('RequestId'), 'Highrise-Version': headerRef('HighriseVersion') };

/**
 * Error responses shared by every operation that can answer with them: statuses with one code
 * whatever the route. Every other status is described per operation with the codes that route can
 * answer (openapi-errors.ts).
 */
const sharedErrors: Record<string, { name: string; codes: readonly ErrorCode[]; description: string; headers?: Record<string, unknown> }> = {
  '429': {
    name: 'RateLimited',
    codes: ['rate_limited'],
    description: 'Too many requests: failed authentications from this address, or a per-route budget (`rate_limited`). Wait `Retry-After` seconds.',
    headers: { 'Retry-After': headerRef('RetryAfter'), 'x-should-retry': headerRef('ShouldRetry') },
  },
  '500': { name: 'InternalError', codes: ['internal_error'], description: 'Our fault (`internal_error`); quote the `requestId`' },
};
const sharedErrorResponses = Object.fromEntries(
  Object.entries(sharedErrors).map(([status, { name, codes }]) => [status, { ref: `#/components/responses/${name}`, codes }]),
);

function responseContent(r: RouteDef, converter: InlineConverter): Record<string, unknown> {
  const types = r.response.mediaTypes ?? ['application/json'];
  return Object.fromEntries(
    types.map((type) => [
      type,
      isJsonMediaType(type) || isJsonLinesMediaType(type) ? { schema: converter.convert(r.response.schema, 'output') } : type.startsWith('text/') ? { schema: { type: 'string' } } : {},
    ]),
  );
}

function requestBody(r: RouteDef, converter: InlineConverter): Record<string, unknown> | undefined {
  if (r.upload) {
    return {
      required: true,
      description: `The file’s bytes as the body (at most ${r.upload.maxBytes} bytes), with its \`Content-Type\`; the bytes themselves must be of that type.`,
      content: Object.fromEntries(r.upload.mediaTypes.map((type) => [type, {}])),
    };
  }
  return r.body ? { required: true, content: { 'application/json': { schema: converter.convert(r.body, 'input') } } } : undefined;
}

/** Every component name reached from `roots`, following `$ref`s through the components. */
function reachableComponents(roots: unknown, schemas: Record<string, JsonSchema>): Set<string> {
  const reached = new Set<string>();
  const pending = [JSON.stringify(roots)];
  while (pending.length > 0) {
    for (const [, id] of pending.pop()!.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (reached.has(id!) || !schemas[id!]) continue;
      reached.add(id!);
      pending.push(JSON.stringify(schemas[id!]));
    }
  }
  return reached;
}

/**
 * OpenAPI 3.1 for the route table. Component schemas come from the SDK's zod schemas by their ids;
 * components no operation or webhook uses are left out (query schemas become parameters).
 */
export function buildOpenApi(routes: readonly RouteDef[], options: OpenApiOptions): JsonSchema {
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
  for (const s of [...Object.values(schemas), ...Object.values(inputs)]) {
    delete s.$schema;
    delete s.$id;
  }
  const converter = new InlineConverter(schemas, inputs);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const versioned = r.path.startsWith('/v1/');
    const idempotent = r.method === 'POST' && versioned && r.scope !== 'public';
    const query = r.query ?? r.upload?.query;
    const body = requestBody(r, converter);
    const successHeaders = {
      ...commonHeaders,
      ...(idempotent ? { 'Idempotent-Replayed': headerRef('IdempotentReplayed') } : {}),
      ...Object.fromEntries((r.response.headers ?? []).map((h) => [h, headerRef(DOCUMENTED_HEADERS[h])])),
    };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [tagOf(r.path).name],
      'x-highrise-scope': r.scope,
      ...(r.permission ? { 'x-highrise-permission': r.permission } : {}),
      security: r.scope === 'public' ? [] : [{ apiKey: [] }],
      parameters: [
        ...pathParams,
        ...(query ? queryParameters(converter, query) : []),
        ...(versioned ? [{ $ref: '#/components/parameters/HighriseVersion' }] : []),
        ...(idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
        ...(r.response.conditional ? [{ $ref: '#/components/parameters/IfNoneMatch' }] : []),
      ],
      ...(body ? { requestBody: body } : {}),
      responses: {
        [String(r.response.status)]: { description: r.response.description, headers: successHeaders, content: responseContent(r, converter) },
        ...(r.response.conditional
          ? { '304': { description: 'Not modified: the `If-None-Match` ETag is still current; no body', headers: { ...commonHeaders, ETag: headerRef('ETag'), 'Cache-Control': headerRef('CacheControl') } } }
          : {}),
        ...errorResponsesOf(r, { errorSchemaRef: componentRef('Error'), headers: commonHeaders, retryAfterHeader: headerRef('RetryAfter'), shared: sharedErrorResponses }),
      },
    };
  }

  const webhooks = webhookOperations(componentRef, 'Webhooks');
  const used = reachableComponents({ paths, webhooks, errorSchema: componentRef('Error') }, schemas);
  const usedSchemas = Object.fromEntries(Object.entries(schemas).filter(([id]) => used.has(id)).sort(([a], [b]) => a.localeCompare(b)));

  return {
    openapi: '3.1.0',
    info: {
      title: 'Highrise API',
      version: options.version,
      description:
        'Multi-tenant business telephony: resellers, tenants, extensions, numbers, dial plans, porting and webhooks. Every response carries `Request-Id`; write requests accept `Idempotency-Key`.',
      contact: { name: 'Highrise', url: `${REPOSITORY_URL}/issues` },
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: options.servers?.length ? options.servers : [{ url: '/', description: 'The platform that serves this document' }],
    tags: [...tagList(routes.map((r) => r.path)), ...(routes.some((r) => tagOf(r.path).name === 'Webhooks') ? [] : [{ name: 'Webhooks' }])],
    paths,
    webhooks,
    components: {
      schemas: usedSchemas,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer hr_live_…`' } },
      headers,
      responses: Object.fromEntries(
        Object.values(sharedErrors).map(({ name, description, headers: extra }) => [
          name,
          { description, headers: { ...commonHeaders, ...extra }, content: { 'application/json': { schema: { $ref: componentRef('Error') } } } },
        ]),
      ),
      parameters: {
        HighriseVersion: {
          name: 'Highrise-Version',
          in: 'header',
          required: false,
          description: `API version (YYYY-MM-DD). Supported: ${API_VERSIONS.map((v) => `${v.version} (${v.changes.join(' ')})`).join('; ')}. Without it, the latest; another date gets 400 \`api_version_unknown\`. The response echoes the version used.`,
          schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'The same key with the same body bytes (per API key, within 24 h) returns the first response with `Idempotent-Replayed: true`; other bytes get 422 `idempotency_key_reused`. A claim left unfinished for 60 s counts as abandoned.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'The `ETag` of a copy already held: a current one is answered with 304 and no body.',
          schema: { type: 'string' },
        },
        ...webhookHeaderParameters,
      },
    },
  };
}
