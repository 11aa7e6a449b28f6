import { AuditEventList, AuditEventListParams, AuditVerification } from '@highrise/sdk/schemas';
import { auditEventAsSeenBy, listAllAudit, listTenantAudit, verifyTenantAudit } from '../../domain/audit';
import { presentAuditEvent } from '../present-audit';
import { presentPage } from '../present';
import { route, tenantRoute } from '../route';

const filterOf = (q: { actorKeyId?: string | undefined; action?: string | undefined; targetId?: string | undefined; from?: string | undefined; to?: string | undefined }) => ({
  actorKeyId: q.actorKeyId,
  action: q.action,
  targetId: q.targetId,
  from: q.from,
  to: q.to,
});

export const auditEventRoutes = [
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit-events',
    permission: 'audit:read',
    operationId: 'listTenantAuditEvents',
    summary: "List a tenant's audit events, oldest first (newest with order=desc); filter by actor key, action, target and time",
    query: AuditEventListParams,
    response: { status: 200, schema: AuditEventList, description: 'One page of audit events' },
    handle: async ({ tenant, principal, query }) =>
      presentPage(await listTenantAudit(tenant, { limit: query.limit, after: query.cursor, order: query.order }, filterOf(query)), (e) => presentAuditEvent(auditEventAsSeenBy(principal, e))),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit-events/verify',
    permission: 'audit:read',
    operationId: 'verifyTenantAuditEvents',
    summary: "Verify the tenant's audit hash chain and report the first altered or orphaned event",
    response: { status: 200, schema: AuditVerification, description: 'Whether the chain is intact, and where it breaks' },
    handle: async ({ services, tenant }) => ({ object: 'audit_verification' as const, keyId: services.domain.auditKey.id, ...(await verifyTenantAudit(services.domain, tenant)) }),
  }),
  route({
    method: 'GET',
    path: '/v1/audit-events',
    // Tenant keys get 403 here (not their own events): their log lives under /v1/tenants/{id}/audit-events,
    // and a platform-wide route that quietly narrows to one tenant would hide which view a caller has.
    scope: 'platform',
    permission: 'audit:read',
    operationId: 'listAuditEvents',
    summary: "List audit events across tenants: a provider sees all (and platform events), a reseller its tenants'",
    query: AuditEventListParams,
    response: { status: 200, schema: AuditEventList, description: 'One page of audit events' },
    handle: async ({ services, principal, query }) =>
      presentPage(await listAllAudit(services.domain, principal, { limit: query.limit, after: query.cursor, order: query.order }, filterOf(query)), (e) => presentAuditEvent(auditEventAsSeenBy(principal, e))),
  }),
];
