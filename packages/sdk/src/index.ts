export { Highrise } from './client';
export type { ClientOptions, APIRequest, ValidateResponses, Logger, RequestEvent, ResponseEvent } from './client';
export { API_VERSION, SDK_VERSION } from './version';
export { APIPromise } from './core/api-promise';
export type { ResponseMeta, WithMeta, WithResponse } from './core/api-promise';
export type { Open } from './core/open';
export type { RequestOptions, HttpMethod } from './core/request-options';
export { CursorPage, PagePromise } from './core/pagination';
export type { CursorPageParams, ToArrayOptions } from './core/pagination';
export { Tenants, TenantClient, Extensions, SoftphoneTokens, Resellers, Calls, Usage, Numbers, TenantNumbers, DialRules, RingGroups, Trunks, ApiKeys, TenantApiKeys, Roles, TenantRoles, Permissions, AuditEvents, TenantAuditEvents, PortOrders, TenantPortOrders, LevelBranding, ProviderBranding, Analytics, TenantAnalytics } from './resources/index';
export * from './errors/index';
export type { CreateManyOptions } from './resources/index';
export { WebhookEndpoints, WebhookDeliveries } from './resources/index';
export { verifyWebhook, buildWebhookSignatureHeader, isKnownWebhookEvent } from './webhooks';
export type { VerifyWebhookOptions, BuildWebhookSignatureOptions, UnknownWebhookEvent, SignatureHeader } from './webhooks';
// The contract: every schema (a value) and its inferred type of the same name. The models a
// method returns are listed again from ./models, whose types are open to values a newer platform
// may send; an explicit export wins over `export *`, so those names carry the open types.
export * from './schemas/index';
export {
  ApiKey, ApiKeyWithSecret, AuditEvent, AuditVerification, Branding, Call, Deleted, DialRule, Extension, ExtensionWithPassword,
  PermissionList, PhoneNumber, PortComment, PortDocument, PortDocumentContent, PortOrder, PortTimelineEntry, PublicBranding, Reseller,
  RingGroup, Role, SigningKeyRotation, SoftphoneToken, Tenant, TenantCreateResponse, TenantExportRecord, TenantRestoreResponse, TenantUsage, AnalyticsSummary, AnalyticsTenantRow, Trunk,
  TrunkUpdateResponse, TrunkWithPassword, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret, WebhookEvent,
} from './models';
