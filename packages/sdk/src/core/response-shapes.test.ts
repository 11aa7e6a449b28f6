import { describe, expect, it } from 'vitest';
import * as schemas from '../schemas/index';
import { shapeIssues } from './shape';
import { toShape } from './to-shape';

/** Every schema a client method checks a response with. A new resource adds its names here. */
const RESPONSE_SCHEMAS = [
  'AnalyticsSummary', 'AnalyticsTenantList', 'ApiKey', 'ApiKeyList', 'ApiKeyWithSecret', 'AuditEventList', 'AuditVerification', 'Branding', 'Call', 'CallList', 'Deleted', 'DialRule',
  'DialRuleList', 'Extension', 'ExtensionBatch', 'ExtensionList', 'ExtensionWithPassword', 'PermissionList', 'PhoneNumber', 'PhoneNumberList', 'PublicBranding',
  'PortComment', 'PortCommentList', 'PortDocument', 'PortDocumentContent', 'PortDocumentList', 'PortOrder', 'PortOrderList',
  'PortTimeline', 'Reseller', 'ResellerList', 'RingGroup', 'RingGroupList', 'Role', 'RoleList', 'SigningKeyRotation',
  'SoftphoneToken', 'Tenant', 'TenantCreateResponse', 'TenantExportRecord', 'TenantList', 'TenantRestoreResponse', 'TenantUsage', 'Trunk', 'TrunkList', 'TrunkUpdateResponse',
  'TrunkWithPassword', 'WebhookDelivery', 'WebhookDeliveryList', 'WebhookEndpoint', 'WebhookEndpointList',
  'WebhookEndpointWithSecret',
] as const;

function generate(): string {
  const lines = [
    '// Generated from the zod schemas by packages/sdk/src/core/response-shapes.test.ts; do not edit.',
    '// After changing a response schema run `npx vitest run --project sdk response-shapes -u`.',
    "import type { z } from 'zod';",
    "import type * as S from '../schemas/index';",
    "import type { Shape } from '../core/shape';",
    '',
  ];
  for (const name of RESPONSE_SCHEMAS) {
    const descriptor = JSON.stringify(toShape(schemas[name]));
    lines.push(`export const ${name}: Shape<z.output<typeof S.${name}>> = { name: '${name}', d: ${descriptor} };`);
  }
  lines.push('', `/** Every webhook event type this SDK knows. */`, `export const webhookEventTypes: readonly string[] = ${JSON.stringify(schemas.WEBHOOK_EVENT_TYPES)};`, '');
  return lines.join('\n');
}

describe('response shapes', () => {
  it('are in step with the zod schemas', async () => {
    await expect(generate()).toMatchFileSnapshot('../generated/response-shapes.ts');
  });

  it('flag what zod flags as a wrong type, and nothing zod would only flag as a value', () => {
    const tenant = {
      id: 'ten_01JD8X3E5Q7R2T4V6W8Y0Z1A2B',
      object: 'tenant',
      name: 'Acme',
      slug: 'acme',
      status: 'active',
      sipDomain: 'acme.sip.localhost',
      resellerId: null,
      limits: { extensions: 1, channels: 1, messagesPerMinute: 1, storageBytes: 1, dialRules: 1, ringGroups: 1, trunks: 1, openPortOrders: 1 },
      createdAt: '2026-11-28T10:00:00.000Z',
      updatedAt: '2026-11-28T10:00:00.000Z',
      deletedAt: null,
      purgeAt: null,
    };
    const shape = toShape(schemas.Tenant);
    expect(shapeIssues(shape, tenant)).toEqual([]);
    expect(shapeIssues(shape, { ...tenant, status: 'archived', id: 'tenant-9', extra: 1 })).toEqual([]);
    expect(shapeIssues(shape, { ...tenant, name: 42, resellerId: 7 }).map((i) => i.path)).toEqual([['name'], ['resellerId']]);
    const { sipDomain: _, ...missing } = tenant;
    expect(shapeIssues(shape, missing).map((i) => i.path)).toEqual([['sipDomain']]);
    expect(shapeIssues(toShape(schemas.TenantList), { data: [tenant, { ...tenant, limits: null }], nextCursor: null }).map((i) => i.path)).toEqual([
      ['data', 1, 'limits'],
    ]);
  });
});
