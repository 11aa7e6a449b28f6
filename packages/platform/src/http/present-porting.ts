import type { PortComment, PortDocument, PortOrder, PortTimelineEntry } from '@highrise/sdk/schemas';
import type { PortOrderView } from '../domain/porting/orders';
import { allowedActions } from '../domain/porting/state-machine';
import type { PortCommentRow, PortDocumentRow, PortEventRow } from '../domain/records';

/** Account number and PIN never leave the platform: only the last four characters and whether a PIN is set. */
export const presentPortOrder = ({ order, numbers, missing }: PortOrderView): PortOrder => ({
  id: order.id,
  object: 'port_order',
  tenantId: order.tenantId,
  status: order.status,
  numbers,
  losingCarrier: { name: order.carrierName, accountNumberLast4: order.accountNumber.slice(-4), pinSet: order.pin !== '' },
  authorisedPerson: order.authorisedPerson,
  serviceAddress: order.serviceAddress,
  requestedFocDate: order.requestedFocDate,
  focDate: order.focDate,
  defaultDestination: order.destination,
  exception: order.exceptionReason ? { reason: order.exceptionReason, message: order.exceptionMessage ?? '' } : null,
  missingRequirements: missing,
  allowedActions: allowedActions(order.status),
  createdAt: order.createdAt,
  updatedAt: order.updatedAt,
  submittedAt: order.submittedAt,
  completedAt: order.completedAt,
  cancelledAt: order.cancelledAt,
});

export const presentPortDocument = (d: PortDocumentRow): PortDocument => ({
  id: d.id,
  object: 'port_document',
  portOrderId: d.orderId,
  kind: d.kind,
  filename: d.filename,
  contentType: d.contentType,
  sizeBytes: d.sizeBytes,
  createdAt: d.createdAt,
});

export const presentPortComment = (c: PortCommentRow): PortComment => ({
  id: c.id,
  object: 'port_comment',
  portOrderId: c.orderId,
  visibility: c.visibility,
  body: c.body,
  author: { principal: c.authorPrincipal, keyId: c.authorKeyId },
  createdAt: c.createdAt,
});

export const presentPortEvent = (e: PortEventRow): PortTimelineEntry => ({
  id: e.id,
  object: 'port_order_event',
  portOrderId: e.orderId,
  action: e.action as PortTimelineEntry['action'],
  from: e.fromStatus,
  to: e.toStatus,
  actor: { type: e.actorType, keyId: e.actorKeyId, principal: e.actorPrincipal },
  reason: e.reason,
  message: e.message,
  occurredAt: e.occurredAt,
});
