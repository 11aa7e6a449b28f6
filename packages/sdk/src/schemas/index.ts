// The API contract. Every request and response shape is written here once; the platform
// validates with these same schemas and serves /openapi.json from them.
export * from './common';
export * from './permissions';
export * from './roles';
export * from './api-keys';
export * from './resellers';
export * from './tenants';
export * from './extensions';
export * from './softphone-tokens';
export * from './calls';
export * from './usage';
export * from './analytics';
export * from './numbers';
export * from './trunks';
export * from './ring-groups';
export * from './dial-rules';
export * from './audit-events';
export * from './port-orders';
export * from './webhooks';
export * from './sip-routing';
export * from './branding';
