export { Tenants } from './tenants';
export { TenantClient } from './tenant-client';
export { Extensions } from './extensions';
export { SoftphoneTokens } from './softphone-tokens';
export { Resellers } from './resellers';
