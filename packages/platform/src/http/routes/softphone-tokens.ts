import { SoftphoneToken, SoftphoneTokenCreateParams } from '@highrise/sdk/schemas';
import { issueSoftphoneToken } from '../../domain/softphone-tokens';
import { tenantRoute } from '../route';

export const softphoneTokenRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/softphone-tokens',
    operationId: 'createSoftphoneToken',
    summary: 'Issue a short-lived token that lets the widget register as one extension',
    body: SoftphoneTokenCreateParams,
    response: { status: 201, schema: SoftphoneToken, description: 'The token, where to use it, and the ICE servers' },
    handle: async ({ services, tenant, body }) => {
      const issued = await issueSoftphoneToken(services.domain, services.secret, tenant, {
        extension: body.extension,
        ttlSeconds: body.ttlSeconds,
        wsUrl: services.wsUrl(),
      });
      return { ...issued, expiresAt: issued.expiresAt.toISOString(), iceServers: services.iceServers };
    },
  }),
];
