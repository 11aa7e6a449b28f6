import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { newId } from '../ids';
import type { Page, PageQuery, WebhookDeliveryWithAttempts, WebhookEndpointCollection, WebhookEndpointRow, TenantScope } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { DomainError, NotFound, PermissionDenied, RateLimited, WebhookUrlForbidden } from './errors';
import type { Actor, Principal } from './principal';
import { randomBase62 } from './secrets';
import { loadPlatformSecret } from './softphone-tokens';
import type { TenantAccess } from './tenants';
import { rateWindow, type RateWindow } from './rate-window';
import type { RateEvents } from '../store/lease-types';
import { webhookUrlProblem, type WebhookDestinationPolicy } from './webhook-destinations';

/** Redelivery to a disabled endpoint would only queue a delivery nobody sends. */
export class WebhookEndpointDisabled extends DomainError {
  readonly code = 'invalid_state';
  constructor() {
    super('the webhook endpoint is disabled; enable it before redelivering');
    this.name = 'WebhookEndpointDisabled';
  }
}

// --- the operator's rules ---------------------------------------------------------------------

export interface WebhookRuleOptions {
  /**
   * Allow loopback, private, link-local and reserved destinations (and `localhost`). Only for a
   * demo or tests with a receiver on this machine: a tenant admin could otherwise make the platform
   * probe its own network. Default false (`--allow-private-webhooks` on `highrise start`).
   */
  allowPrivateDestinations?: boolean | undefined;
  /** Redeliveries each owner (a tenant, a reseller, the provider) may ask for per window. Default 10 per 60 s. */
  redeliveryLimit?: { max?: number | undefined; windowSeconds?: number | undefined } | undefined;
}

export interface WebhookRules {
  destinations: WebhookDestinationPolicy;
  /** Keyed by owner, so more endpoints do not buy more redeliveries. */
  redeliveries: RateWindow;
}

/** `shared`: the database's rate events when several nodes share it, so the limit is per owner, not per node. */
export function webhookRules(options: WebhookRuleOptions = {}, shared?: RateEvents): WebhookRules {
  return {
    destinations: { allowPrivate: options.allowPrivateDestinations === true },
    redeliveries: rateWindow(shared, 'webhook.redelivery', { max: options.redeliveryLimit?.max ?? 10, windowSeconds: options.redeliveryLimit?.windowSeconds ?? 60 }),
  };
}

const defaultRules = new WeakMap<DomainContext, WebhookRules>();

/** The context's rules, or the defaults (kept per context so a limiter's window persists). */
export function webhookRulesOf(ctx: DomainContext): WebhookRules {
  if (ctx.webhooks) return ctx.webhooks;
  let rules = defaultRules.get(ctx);
  if (!rules) defaultRules.set(ctx, (rules = webhookRules()));
  return rules;
}

function assertAllowedDestination(ctx: DomainContext, url: string): void {
  const problem = webhookUrlProblem(url, webhookRulesOf(ctx).destinations);
  if (problem) throw new WebhookUrlForbidden(problem);
}

/**
 * Whose endpoints a call works on: one tenant's (through its scope), or the caller's own level
 * above tenants (the provider's, or its reseller's). Tenant keys never reach the platform routes.
 */
export type WebhookOwner = { tenant: TenantAccess } | { principal: Principal };

function endpointsOf(ctx: DomainContext, owner: WebhookOwner): { collection: WebhookEndpointCollection; auditScope: TenantScope | null } {
  if ('tenant' in owner) return { collection: owner.tenant.scope.webhookEndpoints, auditScope: owner.tenant.capability };
  const { principal } = owner;
  if (principal.kind === 'provider') return { collection: ctx.store.webhooks.endpoints('provider'), auditScope: null };
  if (principal.kind === 'reseller') return { collection: ctx.store.webhooks.endpoints({ resellerId: principal.resellerId }), auditScope: null };
  throw new PermissionDenied('tenant keys manage their webhook endpoints under /v1/tenants/{tenantId}/webhook-endpoints');
}

// --- the signing secret at rest ---------------------------------------------------------------
// The platform must compute HMACs with the secret, so it cannot keep only a hash as it does for API
// keys. It is sealed with AES-256-GCM under a key derived (HKDF) from the platform secret, with the
// endpoint id as associated data so a sealed secret copied onto another endpoint does not open.
// A database dump alone therefore reveals no webhook secret; the platform secret (settings table)
// is what must be kept apart in a backup policy that cares.

const SEALED_PREFIX = 'v1.';
const sealKey = async (ctx: DomainContext) => Buffer.from(hkdfSync('sha256', await loadPlatformSecret(ctx.store), Buffer.alloc(0), 'highrise webhook secret seal v1', 32));

export async function sealWebhookSecret(ctx: DomainContext, endpointId: string, secret: string): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await sealKey(ctx), iv);
  cipher.setAAD(Buffer.from(endpointId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export async function openWebhookSecret(ctx: DomainContext, endpointId: string, sealed: string): Promise<string> {
  if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('webhook secret is not sealed');
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', await sealKey(ctx), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(endpointId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** `whsec_` and 32 base62 characters (~190 bits). */
export const newWebhookSecret = () => `whsec_${randomBase62(32)}`;

// --- endpoints -------------------------------------------------------------------------------

export interface WebhookEndpointInput {
  url: string;
  enabledEvents: string[];
  description: string;
  status: 'enabled' | 'disabled';
}

/** What the audit log keeps of an endpoint: everything but the sealed secrets. */
const auditable = (e: WebhookEndpointRow) => ({ url: e.url, description: e.description, enabledEvents: e.enabledEvents, status: e.status });

export async function createWebhookEndpoint(ctx: DomainContext, actor: Actor, owner: WebhookOwner, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const { collection, auditScope } = endpointsOf(ctx, owner);
  assertAllowedDestination(ctx, input.url);
  const id = newId('whe');
  const secret = newWebhookSecret();
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    const endpoint = await collection.insert({
      id,
      url: input.url,
      description: input.description,
      enabledEvents: input.enabledEvents,
      status: input.status,
      secretSealed: await sealWebhookSecret(ctx, id, secret),
      previousSecretSealed: null,
      previousExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(ctx, actor, auditScope, 'webhook_endpoint.created', id, { targetType: 'webhook_endpoint', before: null, after: auditable(endpoint) });
    return { endpoint, secret };
  });
}

export const listWebhookEndpoints = (ctx: DomainContext, owner: WebhookOwner, page: PageQuery): Promise<Page<WebhookEndpointRow>> => endpointsOf(ctx, owner).collection.list(page);

export async function retrieveWebhookEndpoint(ctx: DomainContext, owner: WebhookOwner, id: string): Promise<WebhookEndpointRow> {
  const endpoint = await endpointsOf(ctx, owner).collection.get(id);
  if (!endpoint) throw new NotFound('webhook_endpoint');
  return endpoint;
}

export async function updateWebhookEndpoint(ctx: DomainContext, actor: Actor, owner: WebhookOwner, id: string, input: Partial<WebhookEndpointInput>): Promise<WebhookEndpointRow> {
  const { collection, auditScope } = endpointsOf(ctx, owner);
  return ctx.store.transaction(async () => {
    const before = await collection.get(id);
    if (!before) throw new NotFound('webhook_endpoint');
    // After the lookup, so a foreign endpoint id answers 404 whatever the URL.
    if (input.url !== undefined) assertAllowedDestination(ctx, input.url);
    const after = await collection.update(id, { ...input, updatedAt: ctx.now().toISOString() });
    if (!after) throw new NotFound('webhook_endpoint');
    await recordAudit(ctx, actor, auditScope, 'webhook_endpoint.updated', id, { targetType: 'webhook_endpoint', before: auditable(before), after: auditable(after) });
    return after;
  });
}

/** Deleting an endpoint drops its queued deliveries and their log with it. */
export async function deleteWebhookEndpoint(ctx: DomainContext, actor: Actor, owner: WebhookOwner, id: string): Promise<void> {
  const { collection, auditScope } = endpointsOf(ctx, owner);
  await ctx.store.transaction(async () => {
    const before = await collection.get(id);
    if (!before || !await collection.delete(id)) throw new NotFound('webhook_endpoint');
    await recordAudit(ctx, actor, auditScope, 'webhook_endpoint.deleted', id, { targetType: 'webhook_endpoint', before: auditable(before), after: null });
  });
}

/**
 * A new secret, returned this once. With a grace period the old one keeps signing too (a second
 * `v1=` in the header) until it ends, so receivers can switch without dropping a delivery.
 */
export async function rotateWebhookSecret(ctx: DomainContext, actor: Actor, owner: WebhookOwner, id: string, gracePeriodSeconds: number): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const { collection, auditScope } = endpointsOf(ctx, owner);
  const secret = newWebhookSecret();
  const now = ctx.now();
  return ctx.store.transaction(async () => {
    const before = await collection.get(id);
    if (!before) throw new NotFound('webhook_endpoint');
    const grace = gracePeriodSeconds > 0;
    const endpoint = await collection.update(id, {
      secretSealed: await sealWebhookSecret(ctx, id, secret),
      previousSecretSealed: grace ? before.secretSealed : null,
      previousExpiresAt: grace ? new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString() : null,
      updatedAt: now.toISOString(),
    });
    if (!endpoint) throw new NotFound('webhook_endpoint');
    // The diff redacts secret-named fields: the log shows that the secret changed, never its value.
    await recordAudit(ctx, actor, auditScope, 'webhook_endpoint.secret_rotated', id, {
      targetType: 'webhook_endpoint',
      before: { secret: before.secretSealed },
      after: { secret: endpoint.secretSealed },
    });
    return { endpoint, secret };
  });
}

// --- deliveries ------------------------------------------------------------------------------

export async function listWebhookDeliveries(ctx: DomainContext, owner: WebhookOwner, endpointId: string, page: PageQuery): Promise<Page<WebhookDeliveryWithAttempts>> {
  const { collection } = endpointsOf(ctx, owner);
  if (!await collection.get(endpointId)) throw new NotFound('webhook_endpoint');
  return collection.deliveries(endpointId, page);
}

/** Queues the delivery's event again, now, as a new delivery with its own attempt log. */
export async function redeliverWebhook(ctx: DomainContext, actor: Actor, owner: WebhookOwner, endpointId: string, deliveryId: string): Promise<WebhookDeliveryWithAttempts> {
  const { collection, auditScope } = endpointsOf(ctx, owner);
  // Redelivery sends a request on demand; the limit keeps it from being a trigger to fire at will.
  const limiter = webhookRulesOf(ctx).redeliveries;
  const limitKey = ownerKey(owner);
  // Taken before anything else, so parallel requests see each other's slots; only redeliveries
  // that queued something keep theirs.
  const taken = await limiter.take(limitKey);
  if (!taken.ok) throw new RateLimited('redeliveries', taken.retryAfterSeconds);
  const { release } = taken;
  try {
    return await ctx.store.transaction(async () => {
      const endpoint = await collection.get(endpointId);
      if (!endpoint) throw new NotFound('webhook_endpoint');
      const original = await collection.getDelivery(endpointId, deliveryId);
      if (!original) throw new NotFound('webhook_delivery');
      if (endpoint.status !== 'enabled') throw new WebhookEndpointDisabled();
      const now = ctx.now().toISOString();
      const id = newId('whd');
      await ctx.store.webhooks.insertDelivery({ id, endpointId, eventId: original.eventId, status: 'pending', attemptCount: 0, nextAttemptAt: now, createdAt: now, updatedAt: now });
      await recordAudit(ctx, actor, auditScope, 'webhook_delivery.redelivered', id, { targetType: 'webhook_delivery', before: null, after: { eventId: original.eventId, redeliveryOf: deliveryId } });
      const queued = await collection.getDelivery(endpointId, id);
      if (!queued) throw new NotFound('webhook_delivery');
      return queued;
    });
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}

function ownerKey(owner: WebhookOwner): string {
  if ('tenant' in owner) return `tenant:${owner.tenant.tenant.id}`;
  return owner.principal.kind === 'reseller' ? `reseller:${owner.principal.resellerId}` : owner.principal.kind;
}
