import { z } from 'zod';
import { listOf, prefixedId, Timestamp } from './common';
import { TenantId } from './tenants';

export const NumberId = prefixedId('num').meta({ id: 'NumberId' });

/** What the platform stores and returns: E.164 with no spaces. */
export const E164 = z
  .string()
  .regex(/^\+[1-9][0-9]{6,14}$/)
  .meta({ id: 'E164', description: 'E.164 phone number', example: '+14155550100' });

/**
 * What a caller may send: any international spelling (`+1 (415) 555-0100`); the platform
 * validates it with libphonenumber and stores the E.164 form, or answers 400 naming the field.
 */
export const PhoneNumberInput = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .meta({ description: 'An international number; normalised to E.164 by the platform', example: '+1 (415) 555-0100' });

export const NumberRouteType = z.enum(['extension', 'ring_group', 'dial_rule']).meta({ id: 'NumberRouteType' });

export const NumberRouting = z
  .strictObject({
    type: NumberRouteType,
    target: z.string().min(1).max(64).meta({ description: 'Extension or ring group number (`600`), or a dial rule id (`dlr_…`)' }),
  })
  .meta({ id: 'NumberRouting' });
export type NumberRouting = z.infer<typeof NumberRouting>;

export const PhoneNumber = z
  .object({
    id: NumberId,
    object: z.literal('number'),
    number: E164,
    tenantId: TenantId.nullable().meta({ description: 'The tenant holding it; null while in inventory' }),
    routing: NumberRouting.nullable().meta({ description: 'Where calls to it go; null until routed' }),
    assignedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'PhoneNumber' });
export type PhoneNumber = z.infer<typeof PhoneNumber>;

/** `POST /v1/numbers` (provider inventory) and `POST /v1/tenants/{id}/numbers` (assign from inventory). */
export const NumberCreateParams = z.strictObject({ number: PhoneNumberInput }).meta({ id: 'NumberCreateParams' });
export type NumberCreateParams = z.input<typeof NumberCreateParams>;

export const NumberUpdateParams = z
  .strictObject({ routing: NumberRouting.nullable().meta({ description: 'null removes the route' }) })
  .meta({ id: 'NumberUpdateParams' });
export type NumberUpdateParams = z.input<typeof NumberUpdateParams>;

export const NumberListParams = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
  assigned: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'Inventory only: `false` lists the numbers still available' }),
});
export type NumberListParams = { limit?: number; cursor?: string; assigned?: boolean };

export const PhoneNumberList = listOf(PhoneNumber).meta({ id: 'PhoneNumberList' });
