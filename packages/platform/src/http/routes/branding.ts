import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Branding, BrandingUpdateParams, PublicBranding, PublicBrandingQuery } from '@highrise/sdk/schemas';
import { publicBranding, publicLogo, retrieveBranding, updateBranding, type BrandingLevel, type BrandingView } from '../../domain/branding';
import { SlidingWindowLimiter } from '../../domain/sliding-window';
import type { Principal } from '../../domain/principal';
import { NotFound, RateLimited } from '../../domain/errors';
import { publicRoute, route, tenantRoute, type AppServices } from '../route';

const present = (v: BrandingView) => ({ object: 'branding' as const, ...v });

/**
 * Public branding answers anyone, so each client address gets a budget of its own (per process),
 * kept per app so that platforms in one process do not share it.
 */
export const PUBLIC_BRANDING_PER_MINUTE = 60;
const limiters = new WeakMap<AppServices, SlidingWindowLimiter>();
function throttle(services: AppServices, sourceAddress: string | null): void {
  let limiter = limiters.get(services);
  if (!limiter) limiters.set(services, (limiter = new SlidingWindowLimiter({ max: PUBLIC_BRANDING_PER_MINUTE, windowSeconds: 60 })));
  const key = sourceAddress ?? 'unknown';
  const wait = limiter.retryAfterSeconds(key);
  if (wait > 0) throw new RateLimited('branding requests from this address', wait);
  limiter.record(key);
}

/** Public and cacheable: any page may read it (no credentials), caches may keep it five minutes. */
const PUBLIC_HEADERS = {
  'Cache-Control': 'public, max-age=300',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag',
  'X-Content-Type-Options': 'nosniff',
};

/** A body with a strong ETag; a request already holding it gets 304 and no body. */
function cacheable(request: Request, body: string | Buffer, contentType: string): Response {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  const headers = { ...PUBLIC_HEADERS, ETag: etag };
  const held = request.headers.get('If-None-Match')?.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (held?.includes(etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': contentType } });
}

const resellerLevel = (resellerId: string): BrandingLevel => ({ kind: 'reseller', resellerId });
const LOGO_PATH = '/v1/public/branding/logo';

/** Tenant keys never see a level above their own: the same 404 as a reseller that does not exist. */
const aboveTenants = (principal: Principal) => {
  if (principal.kind === 'tenant' || principal.kind === 'user') throw new NotFound('reseller');
};

export const brandingRoutes = [
  route({
    method: 'GET',
    path: '/v1/branding',
    scope: 'provider',
    permission: 'branding:read',
    operationId: 'retrieveProviderBranding',
    summary: "The provider's branding: its own fields and the effective ones (defaults filled in)",
    response: { status: 200, schema: Branding, description: "The provider's branding" },
    handle: async ({ services, principal }) => present(await retrieveBranding(services.domain, principal, { kind: 'provider' })),
  }),
  route({
    method: 'PUT',
    path: '/v1/branding',
    scope: 'provider',
    permission: 'branding:write',
    operationId: 'updateProviderBranding',
    summary: "Replace the provider's branding; absent fields fall back to the defaults",
    body: BrandingUpdateParams,
    response: { status: 200, schema: Branding, description: "The provider's branding" },
    errors: ['limit_exceeded'],
    handle: async ({ services, actor, body }) => present(await updateBranding(services.domain, actor, { kind: 'provider' }, body)),
  }),
  route({
    method: 'GET',
    path: '/v1/resellers/{resellerId}/branding',
    scope: 'platform',
    permission: 'branding:read',
    operationId: 'retrieveResellerBranding',
    summary: "A reseller's branding: its own fields and the effective ones (inherited from the provider)",
    response: { status: 200, schema: Branding, description: "The reseller's branding" },
    handle: async ({ services, principal, params }) => {
      aboveTenants(principal);
      return present(await retrieveBranding(services.domain, principal, resellerLevel(params.resellerId)));
    },
  }),
  route({
    method: 'PUT',
    path: '/v1/resellers/{resellerId}/branding',
    scope: 'platform',
    permission: 'branding:write',
    operationId: 'updateResellerBranding',
    summary: "Replace a reseller's branding; absent fields are inherited from the provider",
    body: BrandingUpdateParams,
    response: { status: 200, schema: Branding, description: "The reseller's branding" },
    errors: ['limit_exceeded'],
    handle: async ({ services, actor, params, body }) => {
      aboveTenants(actor.principal);
      return present(await updateBranding(services.domain, actor, resellerLevel(params.resellerId), body));
    },
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/branding',
    permission: 'branding:read',
    operationId: 'retrieveTenantBranding',
    summary: "A tenant's branding: its own fields and the effective ones (inherited from its reseller and the provider)",
    response: { status: 200, schema: Branding, description: "The tenant's branding" },
    handle: async ({ services, principal, tenant }) => present(await retrieveBranding(services.domain, principal, { kind: 'tenant', access: tenant })),
  }),
  tenantRoute({
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/branding',
    permission: 'branding:write',
    operationId: 'updateTenantBranding',
    summary: "Replace a tenant's branding; absent fields are inherited. The logo counts against the tenant's storage limit",
    body: BrandingUpdateParams,
    response: { status: 200, schema: Branding, description: "The tenant's branding" },
    errors: ['limit_exceeded'],
    handle: async ({ services, actor, tenant, body }) => present(await updateBranding(services.domain, actor, { kind: 'tenant', access: tenant }, body)),
  }),
  publicRoute({
    method: 'GET',
    path: '/v1/public/branding',
    operationId: 'retrievePublicBranding',
    summary: "The effective public branding for a tenant's SIP domain, without a key (the platform's default for any domain that is not a tenant's in service)",
    query: PublicBrandingQuery,
    response: { status: 200, schema: PublicBranding, description: 'Public branding fields; cacheable (ETag, Cache-Control)', headers: ['ETag', 'Cache-Control'], conditional: true },
    handle: async ({ services, query, request, sourceAddress }) => {
      throttle(services, sourceAddress);
      const { logo, ...effective } = await publicBranding(services.domain, query.domain);
      const body = PublicBranding.parse({ ...effective, logoUrl: logo ? `${LOGO_PATH}?domain=${encodeURIComponent(query.domain)}&v=${logo.sha256.slice(0, 16)}` : null });
      return cacheable(request, JSON.stringify(body), 'application/json; charset=utf-8');
    },
  }),
  publicRoute({
    method: 'GET',
    path: LOGO_PATH,
    operationId: 'retrievePublicBrandingLogo',
    summary: "The effective logo for a tenant's SIP domain (PNG or JPEG), without a key",
    query: PublicBrandingQuery.extend({ v: PublicBrandingQuery.shape.domain.optional() }),
    response: {
      status: 200,
      schema: z.string().meta({ description: 'The image, image/png or image/jpeg' }),
      description: 'The logo; cacheable (ETag, Cache-Control)',
      mediaTypes: ['image/png', 'image/jpeg'],
      headers: ['ETag', 'Cache-Control'],
      conditional: true,
    },
    handle: async ({ services, query, request, sourceAddress }) => {
      throttle(services, sourceAddress);
      const logo = await publicLogo(services.domain, query.domain);
      if (!logo) throw new NotFound('branding_logo');
      return cacheable(request, logo.bytes, logo.contentType);
    },
  }),
];
