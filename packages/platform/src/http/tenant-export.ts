/**
 * `GET /v1/tenants/{id}/export`: everything a tenant owns, as JSON Lines, for a customer leaving
 * (or an operator keeping a copy before the purge). One record per line, `{"type": …, "data": …}`,
 * each in its API shape, so secrets never appear: no SIP password or HA1, no trunk or webhook secret,
 * no key hash, no port order PIN (the presenters leave them out for every API response).
 *
 * Streamed: the records are read a page at a time while the response is written, and the next page
 * is read only when the client has taken the last (a ReadableStream pulled by the HTTP adapter),
 * so an export of a million calls holds one page in memory. The last line is `{"type":"end"}` with
 * the count of each type: an export without it was cut short (a failure after the headers were
 * sent cannot change the status any more, so the stream is aborted instead).
 *
 * Not a snapshot: pages are read outside a transaction (holding one open for the length of a
 * download would stall every writer on SQLite), so a record written during the export may or may
 * not appear. For a deleted tenant nothing is written any more.
 */
import type { TenantExportRecord } from '@highrise/sdk/schemas';
import { listTenantKeys } from '../domain/api-keys';
import { auditEventAsSeenBy, listTenantAudit } from '../domain/audit';
import { listCalls } from '../domain/calls';
import type { DomainContext } from '../domain/context';
import { listDialRules } from '../domain/dial-rules';
import { listExtensions } from '../domain/extensions';
import { listTenantNumbers } from '../domain/numbers';
import { listPortOrders } from '../domain/porting/orders';
import type { Principal } from '../domain/principal';
import { listRingGroups } from '../domain/ring-groups';
import { listRoles, tenantRoleOwner } from '../domain/roles';
import type { TenantAccess } from '../domain/tenants';
import { listTrunks } from '../domain/trunks';
import { listWebhookEndpoints } from '../domain/webhooks';
import { presentCall, presentExtension, presentTenant } from './present';
import { presentAuditEvent } from './present-audit';
import { presentNumber, presentDialRule, presentRingGroup, presentTrunk } from './present-dial-plan';
import { presentApiKey, presentRole } from './present-identity';
import { presentPortOrder } from './present-porting';
import { presentWebhookEndpoint } from './present-webhooks';

type ExportType = TenantExportRecord['type'];
export interface ExportRecord {
  type: ExportType;
  data: object;
}

const PAGE = 200;

interface PageQuery {
  limit: number;
  after?: string;
}
interface Page<T> {
  items: T[];
  next: string | null;
}

async function* pagesOf<T>(type: ExportType, list: (page: PageQuery) => Promise<Page<T>>, present: (item: T) => object): AsyncGenerator<ExportRecord> {
  let after: string | undefined;
  for (;;) {
    const page = await list(after === undefined ? { limit: PAGE } : { limit: PAGE, after });
    for (const item of page.items) yield { type, data: present(item) };
    if (page.next === null) return;
    after = page.next;
  }
}

/** Every record of the tenant, in a fixed order of types, then the `end` record with the counts. */
export async function* tenantExportRecords(ctx: DomainContext, principal: Principal, access: TenantAccess): AsyncGenerator<ExportRecord> {
  const counts: Partial<Record<ExportType, number>> = {};
  const sources: AsyncGenerator<ExportRecord>[] = [
    (async function* () {
      yield { type: 'tenant' as const, data: presentTenant(access.tenant) };
    })(),
    pagesOf('extension', (p) => listExtensions(access, p), presentExtension),
    pagesOf('number', (p) => listTenantNumbers(access, p), presentNumber),
    pagesOf('dial_rule', (p) => listDialRules(access, p), presentDialRule),
    pagesOf('ring_group', (p) => listRingGroups(access, p), presentRingGroup),
    pagesOf('trunk', (p) => listTrunks(access, p), (t) => presentTrunk(t, access.tenant.sipDomain)),
    pagesOf('role', (p) => listRoles(tenantRoleOwner(access), p), presentRole),
    pagesOf('api_key', (p) => listTenantKeys(ctx, access, p), presentApiKey),
    pagesOf('webhook_endpoint', (p) => listWebhookEndpoints(ctx, { tenant: access }, p), presentWebhookEndpoint),
    pagesOf('call', (p) => listCalls(access, p, {}), presentCall),
    pagesOf('port_order', (p) => listPortOrders(access, p, {}), presentPortOrder),
    pagesOf('audit_event', (p) => listTenantAudit(access, p, {}), (e) => presentAuditEvent(auditEventAsSeenBy(principal, e))),
  ];
  for (const source of sources) {
    for await (const record of source) {
      counts[record.type] = (counts[record.type] ?? 0) + 1;
      yield record;
    }
  }
  yield { type: 'end', data: { tenantId: access.tenant.id, counts } };
}

export const EXPORT_CONTENT_TYPE = 'application/x-ndjson; charset=utf-8';

/**
 * The records as a JSON Lines response body, pulled by the client's pace. `render` turns each
 * record into what the request's API version shows.
 */
export function jsonLinesResponse(records: AsyncGenerator<ExportRecord>, render: (record: ExportRecord) => unknown, headers: Record<string, string>): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await records.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${JSON.stringify(render(next.value))}\n`));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await records.return(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': EXPORT_CONTENT_TYPE, ...headers } });
}
