/**
 * The stored shapes the domain hands out, named here so that http/ (which presents them) and sip/
 * never import the store: the dependency runs http/sip -> domain -> store, never around the domain.
 */
export type {
  AuditEventRow,
  CallRow,
  DialRuleRow,
  NumberRow,
  ResellerRow,
  RingGroupRow,
  WebhookDeliveryWithAttempts,
  WebhookEndpointRow,
} from '../store/types';
export type { PortCommentRow, PortDocumentRow, PortEventRow } from '../store/porting-types';
