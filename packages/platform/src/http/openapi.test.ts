import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '@highrise/sdk/schemas';
import { buildOpenApi } from './openapi';
import { routeTable } from './routes/index';

type Json = Record<string, any>;

const document = buildOpenApi(routeTable, { version: '2026-11-01' }) as Json;
const operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json).map(([method, operation]) => ({ path, method, operation: operation as Json })),
);
const operation = (method: string, path: string) => document.paths[path][method] as Json;
// swagger-parser dereferences the object it validates in place.
const validate = (doc: Json) => SwaggerParser.validate(structuredClone(doc) as never);

describe('the OpenAPI document', () => {
  it('validates under swagger-parser (OpenAPI 3.1 schema, every $ref resolved)', async () => {
    await expect(validate(document)).resolves.toBeDefined();
    expect(JSON.stringify(document)).not.toContain('#/$defs/');
  });

  it('is refused by the same check when a $ref dangles (the check can fail)', async () => {
    const broken = structuredClone(document);
    // The defect this document once had: a query field's schema pointing into zod's own $defs.
    broken.paths['/v1/tenants/{tenantId}/calls'].get.parameters.push({ name: 'disposition2', in: 'query', schema: { $ref: '#/$defs/CallDisposition' } });
    await expect(validate(broken)).rejects.toThrow(/\$defs/);
    const missing = structuredClone(document);
    delete missing.components.schemas.Tenant;
    await expect(validate(missing)).rejects.toThrow(/Tenant/);
  });

  it('keeps only components something refers to, and declares every tag it uses', () => {
    const text = JSON.stringify({ paths: document.paths, webhooks: document.webhooks, components: { ...document.components, schemas: undefined } });
    const schemas = document.components.schemas as Json;
    const referenced = new Set([...JSON.stringify(document).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]));
    for (const id of Object.keys(schemas)) expect(referenced, id).toContain(id);
    expect(text).toContain('#/components/schemas/Error');
    const declared = new Set((document.tags as { name: string }[]).map((t) => t.name));
    for (const { path, method, operation: op } of operations) expect(declared, `${method} ${path}`).toContain(op.tags[0]);
    expect(operation('post', '/v1/tenants/{tenantId}/extensions').tags).toEqual(['Extensions']);
    expect(operation('put', '/v1/resellers/{resellerId}/branding').tags).toEqual(['Branding']);
    expect(operation('post', '/v1/tenants/{tenantId}/suspend').tags).toEqual(['Tenants']);
  });

  it('names its servers, license and contact', () => {
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(buildOpenApi(routeTable, { version: '2026-11-01', servers: [{ url: 'https://api.example.com' }] }).servers).toEqual([{ url: 'https://api.example.com' }]);
    expect(document.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(document.info.contact.url).toMatch(/^https:\/\//);
  });

  it('describes the document upload: raw bytes of the accepted types, kind and filename in the query', () => {
    const upload = operation('post', '/v1/tenants/{tenantId}/port-orders/{portOrderId}/documents');
    expect(Object.keys(upload.requestBody.content).sort()).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
    const query = (upload.parameters as Json[]).filter((p) => p.in === 'query');
    expect(query.map((p) => [p.name, p.required])).toEqual([
      ['kind', true],
      ['filename', false],
    ]);
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(['201', '413', '415', '429']));
  });

  it('describes downloads with their real media types', () => {
    const document_ = operation('get', '/v1/tenants/{tenantId}/port-orders/{portOrderId}/documents/{documentId}/content').responses['200'];
    expect(Object.keys(document_.content).sort()).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
    expect(document_.headers['Content-Disposition']).toBeDefined();
    const summary = operation('get', '/v1/analytics/summary').responses['200'].content;
    expect(summary['text/csv']).toEqual({ schema: { type: 'string' } });
    expect(summary['application/json'].schema).toEqual({ $ref: '#/components/schemas/AnalyticsSummary' });
    const logo = operation('get', '/v1/public/branding/logo').responses;
    expect(Object.keys(logo['200'].content)).toEqual(['image/png', 'image/jpeg']);
    expect(logo['304']).toBeDefined();
    // Nothing that answers with bytes claims to answer JSON.
    for (const { operation: op } of operations) {
      for (const content of Object.values(op.responses as Json).map((r) => (r as Json).content ?? {})) {
        if (content['application/json']) expect(content['application/json'].schema).toBeDefined();
      }
    }
  });

  it('lists 429 on every /v1 route, 413 wherever a body is read, and the headers of each answer', () => {
    for (const route of routeTable) {
      const { responses } = operation(route.method.toLowerCase(), route.path);
      const at = `${route.method} ${route.path}`;
      if (route.path.startsWith('/v1/')) expect(responses['429'], at).toEqual({ $ref: '#/components/responses/RateLimited' });
      if (route.body || route.upload) expect(responses['413'], at).toBeDefined();
      else expect(responses['413'], at).toBeUndefined();
      const success = responses[String(route.response.status)];
      expect(success.headers['Request-Id'], at).toEqual({ $ref: '#/components/headers/RequestId' });
      const idempotent = route.method === 'POST' && route.scope !== 'public';
      expect(success.headers['Idempotent-Replayed'] !== undefined, at).toBe(idempotent);
    }
    const rateLimited = document.components.responses.RateLimited;
    expect(Object.keys(rateLimited.headers)).toEqual(expect.arrayContaining(['Retry-After', 'Request-Id']));
    expect(rateLimited.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  it('has a webhooks section with every event type and its own body', () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const type of WEBHOOK_EVENT_TYPES) {
      const ref = document.webhooks[type].post.requestBody.content['application/json'].schema.$ref as string;
      const body = document.components.schemas[ref.replace('#/components/schemas/', '')];
      expect(body.properties.type, type).toEqual({ type: 'string', const: type });
      expect(body.required, type).toEqual(expect.arrayContaining(['id', 'type', 'createdAt', 'tenantId', 'data']));
    }
    expect(document.components.schemas.TenantLimitWarningEvent.properties.data).toEqual({ $ref: '#/components/schemas/TenantLimitCrossing' });
    expect(document.components.parameters.WebhookSignature.name).toBe('Highrise-Signature');
  });
});
