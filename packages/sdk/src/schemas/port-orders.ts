import { z } from 'zod';
import { listOf, OrderedListParams, prefixedId, Timestamp } from './common';
import { E164, PhoneNumberInput } from './numbers';
import { TenantId } from './tenants';

export const PortOrderId = prefixedId('por').meta({ id: 'PortOrderId' });
export const PortDocumentId = prefixedId('pdc').meta({ id: 'PortDocumentId' });
export const PortCommentId = prefixedId('pcm').meta({ id: 'PortCommentId' });
export const PortEventId = prefixedId('pev').meta({ id: 'PortEventId' });

/** Most port orders in one request, as at Twilio. */
export const MAX_PORT_NUMBERS = 1000;
/** Largest document accepted (bytes). */
export const MAX_PORT_DOCUMENT_BYTES = 10 * 1024 * 1024;

export const PortOrderStatus = z
  .enum(['draft', 'submitted', 'in_review', 'foc_scheduled', 'exception', 'completed', 'cancelled'])
  .meta({ id: 'PortOrderStatus' });
export type PortOrderStatus = z.infer<typeof PortOrderStatus>;

/**
 * Everything that moves a port order: the tenant's actions, the carrier's, and the reviewer's
 * (`approve`, `reject`, `complete` by a provider or the tenant's reseller). `invalid_state` errors
 * list the allowed ones.
 */
export const PortOrderAction = z
  .enum(['update', 'attach_document', 'submit', 'cancel', 'review', 'schedule_foc', 'complete', 'raise_exception', 'approve', 'reject'])
  .meta({ id: 'PortOrderAction' });
export type PortOrderAction = z.infer<typeof PortOrderAction>;

export const PortExceptionReason = z
  .enum(['account_number_mismatch', 'pin_invalid', 'address_mismatch', 'number_not_portable', 'ownership_not_verified'])
  .meta({ id: 'PortExceptionReason', description: '`ownership_not_verified`: the reviewer could not confirm that the tenant holds the numbers' });
export type PortExceptionReason = z.infer<typeof PortExceptionReason>;

export const PortDocumentKind = z
  .enum(['loa', 'bill'])
  .meta({ id: 'PortDocumentKind', description: '`loa`: letter of authorisation (PDF); `bill`: a recent bill (PDF, PNG or JPEG)' });
export type PortDocumentKind = z.infer<typeof PortDocumentKind>;

/** A calendar date: `2026-12-15`. */
export const CalendarDate = z.iso.date().meta({ description: 'Calendar date (YYYY-MM-DD)', example: '2026-12-15' });

const text = (max: number) => z.string().trim().min(1).max(max);

export const PortDestination = z
  .strictObject({
    type: z.enum(['extension', 'ring_group']),
    target: text(64).meta({ description: 'Extension or ring group number of the tenant' }),
  })
  .meta({ id: 'PortDestination', description: 'Where the numbers route once ported' });
export type PortDestination = z.infer<typeof PortDestination>;

export const PortAuthorisedPerson = z
  .strictObject({ name: text(200), email: z.email().max(254).optional(), title: text(200).optional() })
  .meta({ id: 'PortAuthorisedPerson', description: 'Who signs for the account at the losing carrier' });

export const PortServiceAddress = z
  .strictObject({
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    region: text(100).optional(),
    postalCode: text(20),
    country: z.string().regex(/^[A-Z]{2}$/).meta({ description: 'ISO 3166-1 alpha-2', example: 'US' }),
  })
  .meta({ id: 'PortServiceAddress' });

/** The losing carrier as sent: account number and PIN are write-only. */
export const LosingCarrierInput = z
  .strictObject({
    name: text(200),
    accountNumber: text(64).meta({ description: 'Write-only: never returned, redacted in the audit log' }),
    pin: text(32).meta({ description: 'Write-only: never returned, redacted in the audit log' }),
  })
  .meta({ id: 'LosingCarrierInput' });

/** The losing carrier as returned: the secrets only as a hint. */
export const LosingCarrier = z
  .object({
    name: z.string(),
    accountNumberLast4: z.string().meta({ description: 'The last four characters of the account number' }),
    pinSet: z.boolean(),
  })
  .meta({ id: 'LosingCarrier' });

export const PortException = z
  .object({ reason: PortExceptionReason, message: z.string() })
  .meta({ id: 'PortException', description: 'Why the carrier or the reviewer stopped the order; fix the order and submit again' });

export const PortOrder = z
  .object({
    id: PortOrderId,
    object: z.literal('port_order'),
    tenantId: TenantId,
    status: PortOrderStatus,
    numbers: z.array(E164),
    losingCarrier: LosingCarrier,
    authorisedPerson: PortAuthorisedPerson,
    serviceAddress: PortServiceAddress,
    requestedFocDate: CalendarDate,
    focDate: CalendarDate.nullable().meta({ description: 'Firm order commitment date, set by the carrier or the reviewer' }),
    defaultDestination: PortDestination,
    exception: PortException.nullable(),
    missingRequirements: z.array(PortDocumentKind).meta({ description: 'Documents still needed before submit' }),
    allowedActions: z.array(PortOrderAction).meta({ description: 'What may happen next from the current status' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    submittedAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
  })
  .meta({ id: 'PortOrder' });
export type PortOrder = z.infer<typeof PortOrder>;

export const PortOrderCreateParams = z
  .strictObject({
    numbers: z.array(PhoneNumberInput).min(1).max(MAX_PORT_NUMBERS).meta({ description: `1 to ${MAX_PORT_NUMBERS} international numbers` }),
    losingCarrier: LosingCarrierInput,
    authorisedPerson: PortAuthorisedPerson,
    serviceAddress: PortServiceAddress,
    requestedFocDate: CalendarDate,
    defaultDestination: PortDestination,
  })
  .meta({ id: 'PortOrderCreateParams' });
export type PortOrderCreateParams = z.input<typeof PortOrderCreateParams>;

/** Allowed only in `draft` and `exception`; `numbers` replaces the list; omitted secrets are kept. */
export const PortOrderUpdateParams = z
  .strictObject({
    numbers: PortOrderCreateParams.shape.numbers.optional(),
    losingCarrier: z
      .strictObject({ name: text(200).optional(), accountNumber: text(64).optional(), pin: text(32).optional() })
      .optional(),
    authorisedPerson: PortAuthorisedPerson.optional(),
    serviceAddress: PortServiceAddress.optional(),
    requestedFocDate: CalendarDate.optional(),
    defaultDestination: PortDestination.optional(),
  })
  .meta({ id: 'PortOrderUpdateParams' });
export type PortOrderUpdateParams = z.input<typeof PortOrderUpdateParams>;

/** `POST …/port-orders/{id}/approve`: provider or the tenant's reseller only (`porting:approve`). */
export const PortOrderApproveParams = z
  .strictObject({ focDate: CalendarDate.meta({ description: 'The firm order commitment date agreed with the losing carrier; today or later' }) })
  .meta({ id: 'PortOrderApproveParams' });
export type PortOrderApproveParams = z.input<typeof PortOrderApproveParams>;

/** `POST …/port-orders/{id}/reject`: the order goes to `exception` with this reason; the tenant may fix it and submit again. */
export const PortOrderRejectParams = z
  .strictObject({
    reason: PortExceptionReason.default('ownership_not_verified'),
    message: text(1000).meta({ description: 'Shown to the tenant with the exception' }),
  })
  .meta({ id: 'PortOrderRejectParams' });
export type PortOrderRejectParams = z.input<typeof PortOrderRejectParams>;

export const PortOrderListParams = OrderedListParams.extend({
  status: PortOrderStatus.optional(),
});
export type PortOrderListParams = Omit<z.input<typeof PortOrderListParams>, 'limit'> & { limit?: number };

/** `GET /v1/port-orders`: the orders of every tenant the key may see, optionally of one of them. */
export const PortOrderPlatformListParams = PortOrderListParams.extend({
  tenantId: TenantId.optional().meta({ description: 'Only this tenant’s orders; a tenant the key may not see answers 404, as a missing one' }),
}).meta({ id: 'PortOrderPlatformListParams' });
export type PortOrderPlatformListParams = Omit<z.input<typeof PortOrderPlatformListParams>, 'limit'> & { limit?: number };

export const PortOrderList = listOf(PortOrder).meta({ id: 'PortOrderList' });

export const PortDocument = z
  .object({
    id: PortDocumentId,
    object: z.literal('port_document'),
    portOrderId: PortOrderId,
    kind: PortDocumentKind,
    filename: z.string(),
    contentType: z.enum(['application/pdf', 'image/png', 'image/jpeg']),
    sizeBytes: z.number().int().min(1),
    createdAt: Timestamp,
  })
  .meta({ id: 'PortDocument' });
export type PortDocument = z.infer<typeof PortDocument>;
export const PortDocumentList = listOf(PortDocument).meta({ id: 'PortDocumentList' });

/**
 * `POST …/port-orders/{id}/documents?kind=loa&filename=loa.pdf` with the file as the raw request
 * body and its `Content-Type`: `fetch` sends a Blob, File or Uint8Array body the same way in
 * browsers and Node, with no multipart encoder.
 */
export const PortDocumentUploadQuery = z
  .strictObject({
    kind: PortDocumentKind,
    filename: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^/\\\x00-\x1f]+$/, 'must be a plain file name')
      .optional(),
  })
  .meta({ id: 'PortDocumentUploadQuery' });

export const PortCommentVisibility = z
  .enum(['public', 'internal'])
  .meta({ id: 'PortCommentVisibility', description: '`internal` comments are written and read by the provider and resellers only' });

export const PortComment = z
  .object({
    id: PortCommentId,
    object: z.literal('port_comment'),
    portOrderId: PortOrderId,
    visibility: PortCommentVisibility,
    body: z.string(),
    author: z.object({ principal: z.enum(['provider', 'reseller', 'tenant', 'user']), keyId: z.string() }),
    createdAt: Timestamp,
  })
  .meta({ id: 'PortComment' });
export type PortComment = z.infer<typeof PortComment>;
export const PortCommentList = listOf(PortComment).meta({ id: 'PortCommentList' });

export const PortCommentCreateParams = z
  .strictObject({ body: text(5000), visibility: PortCommentVisibility.default('public') })
  .meta({ id: 'PortCommentCreateParams' });
export type PortCommentCreateParams = z.input<typeof PortCommentCreateParams>;

export const PortTimelineEntry = z
  .object({
    id: PortEventId,
    object: z.literal('port_order_event'),
    portOrderId: PortOrderId,
    action: z.enum(['create', ...PortOrderAction.options]),
    from: PortOrderStatus.nullable().meta({ description: 'null for the creation entry' }),
    to: PortOrderStatus,
    actor: z.object({
      type: z.enum(['api_key', 'carrier', 'system']).meta({ description: '`system`: the platform itself (queueing for review, expiring a stale draft)' }),
      keyId: z.string().nullable(),
      principal: z.enum(['provider', 'reseller', 'tenant', 'user']).nullable(),
    }),
    reason: PortExceptionReason.nullable(),
    message: z.string().nullable(),
    occurredAt: Timestamp,
  })
  .meta({ id: 'PortTimelineEntry' });
export type PortTimelineEntry = z.infer<typeof PortTimelineEntry>;
export const PortTimeline = listOf(PortTimelineEntry).meta({ id: 'PortTimeline' });

/** What `documents.download` resolves to. */
export const PortDocumentContent = z.object({
  data: z.instanceof(Uint8Array),
  contentType: z.string(),
});
export type PortDocumentContent = z.infer<typeof PortDocumentContent>;
