import { z } from 'zod';
import { listOf, prefixedId, Timestamp } from './common';
import { ExtensionNumber } from './extensions';
import { TenantId } from './tenants';
import { TrunkId } from './trunks';

export const DialRuleId = prefixedId('dlr').meta({ id: 'DialRuleId' });

/**
 * PBX-convention pattern: an exact number (`911`), or `_` then `X` (0-9), `Z` (1-9), `N` (2-9),
 * sets `[1-5]` `[13579]`, literal digits `*` `#` `+`, and at the end `.` (one or more) or `!`
 * (zero or more). The platform checks the syntax and names the offending character position.
 */
export const DialPattern = z.string().max(64).meta({ id: 'DialPattern', example: '_9NXXNXXXXXX' });

export const DialRuleAction = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('extension'), target: ExtensionNumber }),
    z.strictObject({ type: z.literal('ring_group'), target: ExtensionNumber }),
    z.strictObject({
      type: z.literal('trunk'),
      trunkId: TrunkId,
      stripDigits: z.number().int().min(0).max(20).default(0).meta({ description: 'Digits removed from the front of the dialled string' }),
      prepend: z
        .string()
        .regex(/^[0-9*#+]{0,16}$/, 'digits, *, # and + only')
        .default('')
        .meta({ description: 'Put in front after stripping' }),
    }),
    z.strictObject({
      type: z.literal('reject'),
      status: z.number().int().min(400).max(699).meta({ description: 'Final SIP status, 4xx-6xx', example: 403 }),
      reason: z.string().max(200).nullable().default(null),
    }),
  ])
  .meta({ id: 'DialRuleAction' });
export type DialRuleAction = z.infer<typeof DialRuleAction>;

export const DialRule = z
  .object({
    id: DialRuleId,
    object: z.literal('dial_rule'),
    tenantId: TenantId,
    name: z.string(),
    pattern: DialPattern,
    position: z.number().int().min(0).meta({ description: '0-based; the first rule whose pattern matches wins' }),
    action: DialRuleAction,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'DialRule' });
export type DialRule = z.infer<typeof DialRule>;

export const DialRuleCreateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional().meta({ description: 'Defaults to the pattern' }),
    pattern: DialPattern,
    action: DialRuleAction,
    position: z.number().int().min(0).optional().meta({ description: 'Insert here, moving later rules down; omitted appends' }),
  })
  .meta({ id: 'DialRuleCreateParams' });
export type DialRuleCreateParams = z.input<typeof DialRuleCreateParams>;

export const DialRuleUpdateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    pattern: DialPattern.optional(),
    action: DialRuleAction.optional(),
    position: z.number().int().min(0).optional().meta({ description: 'Move the rule here; the others close up around it' }),
  })
  .meta({ id: 'DialRuleUpdateParams' });
export type DialRuleUpdateParams = z.input<typeof DialRuleUpdateParams>;

export const DialRuleList = listOf(DialRule).meta({ id: 'DialRuleList' });
