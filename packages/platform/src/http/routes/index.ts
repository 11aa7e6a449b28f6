import type { RouteDef } from '../route';
import { extensionRoutes } from './extensions';
import { resellerRoutes } from './resellers';
import { softphoneTokenRoutes } from './softphone-tokens';
import { systemRoutes } from './system';
import { tenantRoutes } from './tenants';

/** The one route table: it registers the Hono routes, generates /openapi.json and drives the isolation tests. */
export const routeTable: readonly RouteDef[] = [...systemRoutes, ...resellerRoutes, ...tenantRoutes, ...extensionRoutes, ...softphoneTokenRoutes];
