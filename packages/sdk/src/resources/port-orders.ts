import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { PortComment, PortDocument, PortDocumentContent, PortOrder, PortTimelineEntry } from '../models';
import type { PortCommentList, PortDocumentList, PortOrderList, PortTimeline, PortCommentCreateParams, PortDocumentKind, PortOrderApproveParams, PortOrderCreateParams, PortOrderRejectParams, PortOrderListParams, PortOrderPlatformListParams, PortOrderUpdateParams } from '../schemas/port-orders';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

abstract class PortOrderPart extends APIResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  protected orderPath(portOrderId?: string): string {
    const base = path`/v1/tenants/${this.tenantId}/port-orders`;
    return portOrderId === undefined ? base : base + path`/${portOrderId}`;
  }
}

export interface PortDocumentUploadParams {
  kind: PortDocumentKind;
  /** The file: a File or Blob in browsers, a Uint8Array (or Buffer) in Node. */
  data: Blob | Uint8Array | ArrayBuffer;
  /** `application/pdf`, `image/png` or `image/jpeg`; a Blob's own type when omitted. */
  contentType?: string;
  filename?: string;
}

/** `tenant.portOrders.documents`: the letter of authorisation (`loa`, PDF) and a recent bill (`bill`, PDF/PNG/JPEG), 10 MB each. */
export class PortDocuments extends PortOrderPart {
  /** 415 unsupported_media_type when the bytes are not an allowed type, 413 payload_too_large above 10 MB. */
  upload(portOrderId: string, params: PortDocumentUploadParams, options?: RequestOptions): APIPromise<PortDocument> {
    const contentType = params.contentType ?? (typeof Blob !== 'undefined' && params.data instanceof Blob ? params.data.type : '') ?? '';
    return this.client.request(
      {
        method: 'POST',
        path: `${this.orderPath(portOrderId)}/documents`,
        query: { kind: params.kind, filename: params.filename },
        rawBody: { data: params.data, contentType: contentType || 'application/octet-stream' },
        schema: shapes.PortDocument,
      },
      options,
    );
  }

  list(portOrderId: string, params?: CursorPageParams, options?: RequestOptions): PagePromise<PortDocument> {
    return this.client.getList(`${this.orderPath(portOrderId)}/documents`, shapes.PortDocumentList, params, options);
  }

  /** The file's bytes and type. */
  download(portOrderId: string, documentId: string, options?: RequestOptions): APIPromise<PortDocumentContent> {
    return this.client.request(
      { method: 'GET', path: `${this.orderPath(portOrderId)}/documents${path`/${documentId}`}/content`, responseType: 'bytes', schema: shapes.PortDocumentContent },
      options,
    );
  }
}

/** `tenant.portOrders.comments`: `internal` ones are written and read by provider and reseller keys only. */
export class PortComments extends PortOrderPart {
  create(portOrderId: string, params: PortCommentCreateParams, options?: RequestOptions): APIPromise<PortComment> {
    return this.client.request({ method: 'POST', path: `${this.orderPath(portOrderId)}/comments`, body: params, schema: shapes.PortComment }, options);
  }

  list(portOrderId: string, params?: CursorPageParams, options?: RequestOptions): PagePromise<PortComment> {
    return this.client.getList(`${this.orderPath(portOrderId)}/comments`, shapes.PortCommentList, params, options);
  }
}

/**
 * `hr.tenant(id).portOrders`: bring numbers from another carrier. Create a draft, attach the
 * documents, submit; the carrier (or, without one, the provider or the tenant's reseller through
 * `approve`, `reject` and `complete`) moves it through in_review and foc_scheduled to completed, when
 * the numbers become the tenant's, routed to `defaultDestination`.
 */
export class TenantPortOrders extends PortOrderPart {
  readonly documents: PortDocuments;
  readonly comments: PortComments;

  constructor(client: Highrise, tenantId: string) {
    super(client, tenantId);
    this.documents = new PortDocuments(client, tenantId);
    this.comments = new PortComments(client, tenantId);
  }

  /**
   * 400 names each wrong number by index (`numbers.3`); 409 numbers_unavailable lists numbers held
   * elsewhere (drafts hold nothing); 422 limit_exceeded past `limits.openPortOrders`.
   */
  create(params: PortOrderCreateParams, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'POST', path: this.orderPath(), body: params, schema: shapes.PortOrder }, options);
  }

  retrieve(portOrderId: string, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'GET', path: this.orderPath(portOrderId), schema: shapes.PortOrder }, options);
  }

  /** Only in draft and exception (422 invalid_state otherwise). */
  update(portOrderId: string, params: PortOrderUpdateParams, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'PATCH', path: this.orderPath(portOrderId), body: params, schema: shapes.PortOrder }, options);
  }

  /** `{ status: 'in_review' }` filters; `{ order: 'desc' }` reads newest first, and every later page follows it. */
  list(params?: PortOrderListParams, options?: RequestOptions): PagePromise<PortOrder> {
    return this.client.getList(this.orderPath(), shapes.PortOrderList, params, options);
  }

  /**
   * 422 requirements_missing until both documents are attached; 409 numbers_unavailable when a number
   * is held elsewhere (the numbers are reserved from here on); 422 limit_exceeded past `limits.openPortOrders`.
   */
  submit(portOrderId: string, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'POST', path: `${this.orderPath(portOrderId)}/submit`, schema: shapes.PortOrder }, options);
  }

  cancel(portOrderId: string, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'POST', path: `${this.orderPath(portOrderId)}/cancel`, schema: shapes.PortOrder }, options);
  }

  /**
   * Reviewer only (a provider key, or the tenant's own reseller; `porting:approve`, which no tenant
   * role can hold): `in_review` → `foc_scheduled` on `focDate`.
   */
  approve(portOrderId: string, params: PortOrderApproveParams, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'POST', path: `${this.orderPath(portOrderId)}/approve`, body: params, schema: shapes.PortOrder }, options);
  }

  /** Reviewer only: `in_review` or `foc_scheduled` → `exception` with the reason; the tenant may fix the order and submit again. */
  reject(portOrderId: string, params: PortOrderRejectParams, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'POST', path: `${this.orderPath(portOrderId)}/reject`, body: params, schema: shapes.PortOrder }, options);
  }

  /**
   * Reviewer only: `foc_scheduled` → `completed`, the numbers joining the tenant in the same
   * transaction; if any of them reached the platform meanwhile, none is added and the order goes to `exception`.
   */
  complete(portOrderId: string, options?: RequestOptions): APIPromise<PortOrder> {
    return this.client.request({ method: 'POST', path: `${this.orderPath(portOrderId)}/complete`, schema: shapes.PortOrder }, options);
  }

  /** Every status change with actor and time, oldest first. */
  timeline(portOrderId: string, params?: CursorPageParams, options?: RequestOptions): PagePromise<PortTimelineEntry> {
    return this.client.getList(`${this.orderPath(portOrderId)}/timeline`, shapes.PortTimeline, params, options);
  }
}

/**
 * `hr.portOrders`: port orders across every tenant the key may see, one list for an operator's
 * dashboard: a provider key reads all tenants', a reseller key its tenants', a tenant key its own
 * (end-user keys get 403). `list({ status: 'exception', order: 'desc' })` filters and reads newest
 * first; `tenantId` narrows to one tenant (404 for one the key may not see). Each order carries its
 * `tenantId`; act on it with `hr.tenant(order.tenantId).portOrders`.
 */
export class PortOrders extends APIResource {
  list(params?: PortOrderPlatformListParams, options?: RequestOptions): PagePromise<PortOrder> {
    return this.client.getList('/v1/port-orders', shapes.PortOrderList, params, options);
  }
}
