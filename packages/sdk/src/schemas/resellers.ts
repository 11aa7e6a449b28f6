import { z } from 'zod';
import { prefixedId, Timestamp, listOf } from './common';

export const ResellerId = prefixedId('res').meta({ id: 'ResellerId' });

export const Reseller = z
  .object({
    id: ResellerId,
    object: z.literal('reseller'),
    name: z.string(),
    status: z.enum(['active', 'suspended']),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Reseller' });
export type Reseller = z.infer<typeof Reseller>;

export const ResellerCreateParams = z
  .strictObject({ name: z.string().trim().min(1).max(100) })
  .meta({ id: 'ResellerCreateParams' });
export type ResellerCreateParams = z.input<typeof ResellerCreateParams>;

export const ResellerList = listOf(Reseller).meta({ id: 'ResellerList' });

export const ResellerUpdateParams = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional() })
  .meta({ id: 'ResellerUpdateParams' });
export type ResellerUpdateParams = z.input<typeof ResellerUpdateParams>;
