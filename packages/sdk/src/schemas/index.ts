// The API contract. Every request and response shape is written here once; the platform
// validates with these same schemas and serves /openapi.json from them.
export * from './common';
export * from './api-keys';
export * from './resellers';
export * from './tenants';
export * from './extensions';
export * from './softphone-tokens';
