import type { RouteDef } from '../route';
import { apiKeyRoutes } from './api-keys';
import { auditEventRoutes } from './audit-events';
import { permissionRoutes } from './permissions';
import { roleRoutes } from './roles';
import { callRoutes } from './calls';
import { analyticsRoutes } from './analytics';
import { dialRuleRoutes } from './dial-rules';
import { numberRoutes } from './numbers';
import { ringGroupRoutes } from './ring-groups';
import { trunkRoutes } from './trunks';
import { extensionRoutes } from './extensions';
import { resellerRoutes } from './resellers';
import { softphoneTokenRoutes } from './softphone-tokens';
import { systemRoutes } from './system';
import { tenantRoutes } from './tenants';
import { portOrderRoutes } from './port-orders';
import { webhookEndpointRoutes } from './webhook-endpoints';
import { brandingRoutes } from './branding';

/** The one route table: it registers the Hono routes, generates /openapi.json and drives the isolation tests. */
export const routeTable: readonly RouteDef[] = [...systemRoutes, ...resellerRoutes, ...tenantRoutes, ...extensionRoutes, ...softphoneTokenRoutes, ...permissionRoutes, ...roleRoutes, ...apiKeyRoutes, ...callRoutes, ...analyticsRoutes, ...numberRoutes, ...dialRuleRoutes, ...ringGroupRoutes, ...trunkRoutes, ...auditEventRoutes, ...portOrderRoutes, ...webhookEndpointRoutes, ...brandingRoutes];
