import { z } from 'zod';
import { listOf, prefixedId, Timestamp } from './common';
import { ExtensionNumber } from './extensions';
import { TenantId } from './tenants';

export const RingGroupId = prefixedId('rgp').meta({ id: 'RingGroupId' });

export const RingStrategy = z
  .enum(['simultaneous', 'sequential'])
  .meta({ id: 'RingStrategy', description: '`simultaneous`: all members at once, first answer wins; `sequential`: in order, each for memberTimeoutSeconds' });

const Members = z
  .array(ExtensionNumber)
  .min(1)
  .max(50)
  .refine((m) => new Set(m).size === m.length, 'members must be distinct')
  .meta({ description: 'Extension numbers of the same tenant, in ring order' });

const MemberTimeout = z.number().int().min(5).max(300);

export const RingGroup = z
  .object({
    id: RingGroupId,
    object: z.literal('ring_group'),
    tenantId: TenantId,
    number: ExtensionNumber.meta({ description: 'Dialable in the tenant; never the same as an extension', example: '600' }),
    name: z.string(),
    strategy: RingStrategy,
    memberTimeoutSeconds: MemberTimeout,
    members: z.array(ExtensionNumber),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'RingGroup' });
export type RingGroup = z.infer<typeof RingGroup>;

export const RingGroupCreateParams = z
  .strictObject({
    number: ExtensionNumber,
    name: z.string().trim().min(1).max(100),
    strategy: RingStrategy.default('simultaneous'),
    memberTimeoutSeconds: MemberTimeout.default(20),
    members: Members,
  })
  .meta({ id: 'RingGroupCreateParams' });
export type RingGroupCreateParams = z.input<typeof RingGroupCreateParams>;

export const RingGroupUpdateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    strategy: RingStrategy.optional(),
    memberTimeoutSeconds: MemberTimeout.optional(),
    members: Members.optional(),
  })
  .meta({ id: 'RingGroupUpdateParams' });
export type RingGroupUpdateParams = z.input<typeof RingGroupUpdateParams>;

export const RingGroupList = listOf(RingGroup).meta({ id: 'RingGroupList' });
