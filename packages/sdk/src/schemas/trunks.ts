import { z } from 'zod';
import { listOf, prefixedId, Timestamp } from './common';
import { E164, PhoneNumberInput } from './numbers';
import { TenantId } from './tenants';

export const TrunkId = prefixedId('trk').meta({ id: 'TrunkId' });

/**
 * A carrier connection of one tenant (like a Twilio Elastic SIP Trunk or a Telnyx connection).
 * The carrier side registers over WebSocket into `realm` with digest `username`/`password`.
 */
export const Trunk = z
  .object({
    id: TrunkId,
    object: z.literal('trunk'),
    tenantId: TenantId,
    name: z.string(),
    username: z.string().meta({ description: 'Digest username, generated', example: 'trunk-k3x9q2m7p1z8' }),
    realm: z.string().meta({ description: "The tenant's SIP domain: the digest realm and registration domain" }),
    callerId: E164.nullable().meta({ description: 'Default outbound caller id; always one of the tenant’s own numbers' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Trunk' });
export type Trunk = z.infer<typeof Trunk>;

/** Create (and a password rotation) return the digest password this once; the platform keeps only HA1. */
export const TrunkWithPassword = Trunk.extend({ password: z.string() }).meta({ id: 'TrunkWithPassword' });
export type TrunkWithPassword = z.infer<typeof TrunkWithPassword>;

export const TrunkUpdateResponse = Trunk.extend({ password: z.string().optional() }).meta({ id: 'TrunkUpdateResponse' });
export type TrunkUpdateResponse = z.infer<typeof TrunkUpdateResponse>;

export const TrunkCreateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    callerId: PhoneNumberInput.nullable().optional().meta({ description: 'Must be a number the tenant holds' }),
  })
  .meta({ id: 'TrunkCreateParams' });
export type TrunkCreateParams = z.input<typeof TrunkCreateParams>;

export const TrunkUpdateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    callerId: PhoneNumberInput.nullable().optional(),
    rotatePassword: z.boolean().optional().meta({ description: 'Generate a new password, returned in this response only' }),
  })
  .meta({ id: 'TrunkUpdateParams' });
export type TrunkUpdateParams = z.input<typeof TrunkUpdateParams>;

export const TrunkList = listOf(Trunk).meta({ id: 'TrunkList' });
