import { SigningKeyRotation, SoftphoneToken, SoftphoneTokenCreateParams } from '@highrise/sdk/schemas';
import { issueSoftphoneToken, rotateSigningKey } from '../../domain/softphone-tokens';
import { mintTurnIceServer } from '../../domain/turn-credentials';
import { tenantRoute } from '../route';

export const softphoneTokenRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/softphone-tokens',
    permission: 'softphone_tokens:create',
    operationId: 'createSoftphoneToken',
    summary: 'Issue a short-lived token that lets the widget register as one extension',
    body: SoftphoneTokenCreateParams,
    response: { status: 201, schema: SoftphoneToken, description: 'The token, where to use it, and the ICE servers' },
    errors: ['tenant_suspended'],
    handle: async ({ services, actor, tenant, body }) => {
      const issued = await issueSoftphoneToken(services.domain, services.secret, tenant, {
        extension: body.extension,
        ttlSeconds: body.ttlSeconds,
        edge: await services.softphoneEdge(),
      }, actor);
      // The TURN credential lives exactly as long as the token: a phone re-fetches both together.
      const turn = services.turn ? [mintTurnIceServer(services.turn, `${body.extension}.${tenant.tenant.id}`, issued.expiresAt)] : [];
      const { sipCredentials, ...rest } = issued;
      return {
        ...rest,
        expiresAt: issued.expiresAt.toISOString(),
        ...(sipCredentials ? { sipCredentials: { ...sipCredentials, expiresAt: sipCredentials.expiresAt.toISOString() } } : {}),
        iceServers: [...services.iceServers, ...turn],
      };
    },
  }),
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/softphone-tokens/rotate-signing-key',
    permission: 'softphone_tokens:rotate',
    operationId: 'rotateSoftphoneSigningKey',
    summary: "Replace the tenant's token signing key: every softphone token issued before stops working",
    response: { status: 200, schema: SigningKeyRotation, description: 'When the key was replaced' },
    handle: async ({ services, actor, tenant }) => ({ object: 'signing_key' as const, ...await rotateSigningKey(services.domain, actor, tenant) }),
  }),
];
