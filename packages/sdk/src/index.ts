export { Highrise } from './client';
export type { ClientOptions, APIRequest } from './client';
export { API_VERSION } from './version';
export type { RequestOptions, HttpMethod } from './core/request-options';
export { CursorPage, PagePromise } from './core/pagination';
export type { CursorPageParams } from './core/pagination';
export { Tenants, TenantClient, Extensions, SoftphoneTokens, Resellers, Calls, Usage, Numbers, TenantNumbers, DialRules, RingGroups, Trunks, ApiKeys, TenantApiKeys, Roles, TenantRoles, Permissions, AuditEvents, TenantAuditEvents } from './resources/index';
export * from './errors/index';
export { WebhookEndpoints, WebhookDeliveries } from './resources/index';
export { verifyWebhook, buildWebhookSignatureHeader } from './webhooks';
export type { VerifyWebhookOptions, BuildWebhookSignatureOptions } from './webhooks';
// The contract: every schema (a value) and its inferred type of the same name.
export * from './schemas/index';
