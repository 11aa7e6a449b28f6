import { z } from 'zod';
import {
  ListParams,
  MAX_PORT_DOCUMENT_BYTES,
  PortComment,
  PortCommentCreateParams,
  PortCommentList,
  PortDocument,
  PortDocumentList,
  PortDocumentUploadQuery,
  PortOrder,
  PortOrderApproveParams,
  PortOrderCreateParams,
  PortOrderRejectParams,
  PortOrderList,
  PortOrderListParams,
  PortOrderPlatformListParams,
  PortOrderUpdateParams,
  PortTimeline,
} from '@highrise/sdk/schemas';
import { attachDocument, DOCUMENT_TYPES, listDocuments, readDocument } from '../../domain/porting/documents';
import { carrierOrder } from '../../domain/porting/automation';
import {
  addPortComment,
  cancelPortOrder,
  createPortOrder,
  listPortComments,
  listPortOrders,
  loadPortOrder,
  portTimeline,
  retrievePortOrder,
  submitPortOrder,
  updatePortOrder,
  type PortOrderView,
} from '../../domain/porting/orders';
import { approvePortOrder, completePortOrderByReviewer, rejectPortOrder } from '../../domain/porting/review';
import type { PortingRuntime } from '../../domain/porting/runtime';
import { attachmentDisposition } from '../content-disposition';
import { HttpError } from '../errors';
import { validate } from '../validation';
import { presentPage } from '../present';
import { presentPortComment, presentPortDocument, presentPortEvent, presentPortOrder } from '../present-porting';
import { route, tenantRoute, type AppServices } from '../route';
import { listVisiblePortOrders } from '../../domain/porting/listing';

/*
 * Number porting, inside one tenant. Codes: 400 validation_error (wrong numbers named by index,
 * `numbers.3`), 409 numbers_unavailable (held elsewhere, listed in details without naming whom),
 * 422 invalid_state (details list the allowed actions), 422 requirements_missing (documents still
 * needed before submit), 415 unsupported_media_type and 413 payload_too_large for documents, 422
 * limit_exceeded when the tenant's document storage or its open port orders are at their limit.
 *
 * approve, reject and complete are the reviewer's (`porting:approve`, held by provider and reseller
 * roles only; the tenant gate lets a reseller reach only the tenants it sells).
 *
 * Documents are uploaded as the raw request body with its Content-Type and
 * `?kind=loa|bill&filename=…` (see PortDocumentUploadQuery): no multipart parser, the same `fetch`
 * call from browsers and Node, and the size limit is enforced while the bytes arrive.
 */

const BASE = '/v1/tenants/{tenantId}/port-orders';
/** Every type a document may have (a letter of authorisation: PDF only; a bill: any of them). */
const DOCUMENT_MEDIA_TYPES = [...new Set(Object.values(DOCUMENT_TYPES).flat())];
const page = (q: { limit: number; cursor?: string | undefined; order?: 'asc' | 'desc' | undefined }) => ({ limit: q.limit, after: q.cursor, order: q.order });

function runtimeOf(services: AppServices): PortingRuntime {
  if (!services.porting) throw new Error('number porting is not configured in this app');
  return services.porting;
}

const tooLarge = () => new HttpError('payload_too_large', `documents are limited to ${MAX_PORT_DOCUMENT_BYTES} bytes`);

/** The body, refused as soon as it passes the limit (a chunked upload is never buffered past it). */
async function readUpload(request: Request): Promise<Uint8Array> {
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_PORT_DOCUMENT_BYTES) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_PORT_DOCUMENT_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * A cancelled or rejected order the carrier had accepted: it is told after the commit, and a failure
 * there is logged without undoing anything (a resubmission is a new submission for the carrier).
 */
function tellCarrierItIsOff(services: AppServices, before: PortOrderView['order'], numbers: readonly string[]): void {
  const runtime = services.porting;
  const carrier = runtime?.carrier;
  if (before.carrierRef === null || !runtime || !carrier) return;
  carrier.cancel(carrierOrder(before, numbers)).catch((error: unknown) => runtime.log(`porting: cancel ${before.id} at the carrier failed: ${String(error)}`));
}

export const portOrderRoutes = [
  tenantRoute({
    method: 'POST',
    path: BASE,
    permission: 'porting:write',
    operationId: 'createPortOrder',
    summary: 'Create a port order (draft) for up to 1,000 numbers',
    body: PortOrderCreateParams,
    response: { status: 201, schema: PortOrder, description: 'The draft order; account number and PIN are never returned' },
    errors: ['limit_exceeded', 'numbers_unavailable'],
    handle: async ({ services, actor, tenant, body }) => presentPortOrder(await createPortOrder(services.domain, actor, tenant, body)),
  }),
  tenantRoute({
    method: 'GET',
    path: BASE,
    permission: 'porting:read',
    operationId: 'listPortOrders',
    summary: 'List the tenant’s port orders, optionally by status, oldest or newest first',
    query: PortOrderListParams,
    response: { status: 200, schema: PortOrderList, description: 'One page of port orders' },
    handle: async ({ tenant, query }) => presentPage(await listPortOrders(tenant, page(query), { status: query.status }), presentPortOrder),
  }),
  route({
    method: 'GET',
    path: '/v1/port-orders',
    // Any key holding porting:read: a provider reads every tenant's orders, a reseller its tenants',
    // a tenant key its own (end-user keys hold no porting permission: 403).
    scope: 'authenticated',
    permission: 'porting:read',
    operationId: 'listAllPortOrders',
    summary: 'List port orders across the tenants the key may see, optionally by status or of one tenant, oldest or newest first',
    query: PortOrderPlatformListParams,
    response: { status: 200, schema: PortOrderList, description: 'One page of port orders, each with its tenantId' },
    handle: async ({ services, principal, query }) =>
      presentPage(await listVisiblePortOrders(services.domain, principal, page(query), { status: query.status, tenantId: query.tenantId }), presentPortOrder),
  }),
  tenantRoute({
    method: 'GET',
    path: `${BASE}/{portOrderId}`,
    permission: 'porting:read',
    operationId: 'retrievePortOrder',
    summary: 'Retrieve a port order',
    response: { status: 200, schema: PortOrder, description: 'The port order' },
    handle: async ({ tenant, params }) => presentPortOrder(await retrievePortOrder(tenant, params.portOrderId)),
  }),
  tenantRoute({
    method: 'PATCH',
    path: `${BASE}/{portOrderId}`,
    permission: 'porting:write',
    operationId: 'updatePortOrder',
    summary: 'Change a port order in draft or exception',
    body: PortOrderUpdateParams,
    response: { status: 200, schema: PortOrder, description: 'The changed order' },
    errors: ['invalid_state', 'numbers_unavailable'],
    handle: async ({ services, actor, tenant, params, body }) => presentPortOrder(await updatePortOrder(services.domain, actor, tenant, params.portOrderId, body)),
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/submit`,
    permission: 'porting:write',
    operationId: 'submitPortOrder',
    summary: 'Submit the order to the carrier (needs the letter of authorisation and a bill)',
    response: { status: 200, schema: PortOrder, description: 'The submitted order' },
    errors: ['invalid_state', 'limit_exceeded', 'numbers_unavailable', 'requirements_missing'],
    handle: async ({ services, actor, tenant, params }) => presentPortOrder(await submitPortOrder(services.domain, actor, tenant, params.portOrderId)),
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/cancel`,
    permission: 'porting:write',
    operationId: 'cancelPortOrder',
    summary: 'Cancel the order (any state before completed)',
    response: { status: 200, schema: PortOrder, description: 'The cancelled order' },
    errors: ['invalid_state'],
    handle: async ({ services, actor, tenant, params }) => {
      const { before, view } = await cancelPortOrder(services.domain, actor, tenant, params.portOrderId);
      tellCarrierItIsOff(services, before, view.numbers);
      return presentPortOrder(view);
    },
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/approve`,
    permission: 'porting:approve',
    operationId: 'approvePortOrder',
    summary: 'Approve an order in review with its FOC date (provider or the tenant’s reseller)',
    body: PortOrderApproveParams,
    response: { status: 200, schema: PortOrder, description: 'The order, now foc_scheduled' },
    errors: ['invalid_state'],
    handle: async ({ services, actor, tenant, params, body }) => presentPortOrder(await approvePortOrder(services.domain, actor, tenant, params.portOrderId, body)),
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/reject`,
    permission: 'porting:approve',
    operationId: 'rejectPortOrder',
    summary: 'Reject an order in review or scheduled, with a reason the tenant sees (provider or the tenant’s reseller)',
    body: PortOrderRejectParams,
    response: { status: 200, schema: PortOrder, description: 'The order, now in exception' },
    errors: ['invalid_state'],
    handle: async ({ services, actor, tenant, params, body }) => {
      const { before, view } = await rejectPortOrder(services.domain, actor, tenant, params.portOrderId, body);
      tellCarrierItIsOff(services, before, view.numbers);
      return presentPortOrder(view);
    },
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/complete`,
    permission: 'porting:approve',
    operationId: 'completePortOrder',
    summary: 'Complete a scheduled port: the numbers become the tenant’s (provider or the tenant’s reseller)',
    response: { status: 200, schema: PortOrder, description: 'The order, completed (or in exception when a number reached the platform meanwhile)' },
    errors: ['invalid_state'],
    handle: async ({ services, actor, tenant, params }) => presentPortOrder(await completePortOrderByReviewer(services.domain, actor, tenant, params.portOrderId)),
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/documents`,
    permission: 'porting:write',
    operationId: 'uploadPortDocument',
    summary: 'Attach a document: the file is the raw body, with its Content-Type and ?kind=loa|bill&filename=',
    upload: { maxBytes: MAX_PORT_DOCUMENT_BYTES, mediaTypes: DOCUMENT_MEDIA_TYPES, query: PortDocumentUploadQuery },
    response: { status: 201, schema: PortDocument, description: 'The stored document' },
    errors: ['invalid_state', 'limit_exceeded', 'unsupported_media_type'],
    handle: async ({ services, actor, tenant, params, request }) => {
      const runtime = runtimeOf(services);
      // The query is read after the order is found, so another tenant's order id is a plain 404
      // whatever the query says (the table's query hook would answer 400 first).
      await loadPortOrder(tenant, params.portOrderId);
      const query = validate(PortDocumentUploadQuery, Object.fromEntries(new URL(request.url).searchParams), 'query');
      const bytes = await readUpload(request);
      return presentPortDocument(
        await attachDocument(services.domain, actor, tenant, runtime, params.portOrderId, {
          kind: query.kind,
          filename: query.filename,
          declaredType: request.headers.get('Content-Type') ?? undefined,
          bytes,
        }),
      );
    },
  }),
  tenantRoute({
    method: 'GET',
    path: `${BASE}/{portOrderId}/documents`,
    permission: 'porting:read',
    operationId: 'listPortDocuments',
    summary: 'List the documents of a port order',
    query: ListParams,
    response: { status: 200, schema: PortDocumentList, description: 'One page of documents' },
    handle: async ({ tenant, params, query }) => presentPage(await listDocuments(tenant, params.portOrderId, page(query)), presentPortDocument),
  }),
  tenantRoute({
    method: 'GET',
    path: `${BASE}/{portOrderId}/documents/{documentId}/content`,
    permission: 'porting:read',
    operationId: 'downloadPortDocument',
    summary: 'Download a document’s bytes',
    response: {
      status: 200,
      schema: z.string().meta({ description: 'The file, with its Content-Type' }),
      description: 'The file, as an attachment with its filename',
      mediaTypes: DOCUMENT_MEDIA_TYPES,
      headers: ['Content-Disposition'],
    },
    handle: async ({ services, tenant, params }) => {
      const { row, bytes } = await readDocument(tenant, runtimeOf(services), params.portOrderId, params.documentId);
      return new Response(new Uint8Array(bytes), {
        status: 200,
        headers: { 'Content-Type': row.contentType, 'Content-Length': String(bytes.byteLength), 'Content-Disposition': attachmentDisposition(row.filename) },
      }) as never;
    },
  }),
  tenantRoute({
    method: 'POST',
    path: `${BASE}/{portOrderId}/comments`,
    permission: 'porting:write',
    operationId: 'createPortComment',
    summary: 'Comment on a port order (`internal`: provider and reseller keys only)',
    body: PortCommentCreateParams,
    response: { status: 201, schema: PortComment, description: 'The comment' },
    handle: async ({ services, actor, tenant, params, body }) => presentPortComment(await addPortComment(services.domain, actor, tenant, params.portOrderId, body)),
  }),
  tenantRoute({
    method: 'GET',
    path: `${BASE}/{portOrderId}/comments`,
    permission: 'porting:read',
    operationId: 'listPortComments',
    summary: 'List comments; tenant keys see only public ones',
    query: ListParams,
    response: { status: 200, schema: PortCommentList, description: 'One page of comments' },
    handle: async ({ actor, tenant, params, query }) => presentPage(await listPortComments(actor, tenant, params.portOrderId, page(query)), presentPortComment),
  }),
  tenantRoute({
    method: 'GET',
    path: `${BASE}/{portOrderId}/timeline`,
    permission: 'porting:read',
    operationId: 'portOrderTimeline',
    summary: 'Every status change of the order, with actor and time, oldest first',
    query: ListParams,
    response: { status: 200, schema: PortTimeline, description: 'One page of the timeline' },
    handle: async ({ tenant, params, query }) => presentPage(await portTimeline(tenant, params.portOrderId, page(query)), presentPortEvent),
  }),
];
