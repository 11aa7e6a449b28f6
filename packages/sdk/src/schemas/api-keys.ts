import { z } from 'zod';
import { listOf, prefixedId, Timestamp } from './common';
import { Permission } from './permissions';
import { RoleId } from './roles';

export const ApiKeyId = prefixedId('key').meta({ id: 'ApiKeyId' });

/** A newly minted key. The secret is never shown again; the platform keeps only its hash. */
export const ApiKeySecret = z
  .object({
    id: ApiKeyId,
    secret: z.string().regex(/^hr_(live|test)_/).meta({ example: 'hr_live_01JD8X3E5Q7R2T4V6W8Y0Z1A2B_3q2…' }),
  })
  .meta({ id: 'ApiKeySecret' });
export type ApiKeySecret = z.infer<typeof ApiKeySecret>;

export const ApiKeyPrincipal = z.enum(['provider', 'reseller', 'tenant', 'user']);

export const ApiKey = z
  .object({
    id: ApiKeyId,
    object: z.literal('api_key'),
    name: z.string(),
    principal: ApiKeyPrincipal.meta({ description: '`user` keys act as one extension\'s owner' }),
    resellerId: z.string().nullable(),
    tenantId: z.string().nullable(),
    extension: z.string().nullable().meta({ description: 'The extension number a user key is bound to' }),
    roleId: RoleId,
    permissions: z.array(Permission).meta({ description: "The role's permissions as of now" }),
    prefix: z.string().meta({ description: 'The public start of the secret, to recognise a key', example: 'hr_live_01JD8X3E5Q7R2T4V6W8Y0Z1A2B' }),
    expiresAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable().meta({ description: 'Updated at most once a minute' }),
    previousSecretExpiresAt: Timestamp.nullable().meta({ description: 'Until then the secret before the last rotation still works' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

/** Create and rotate answer the key with its secret, shown this once. */
export const ApiKeyWithSecret = ApiKey.extend({ secret: z.string().regex(/^hr_(live|test)_/) }).meta({ id: 'ApiKeyWithSecret' });
export type ApiKeyWithSecret = z.infer<typeof ApiKeyWithSecret>;

const KeyName = z.string().trim().min(1).max(100);
const ExpiresAt = Timestamp.meta({ description: 'After this time the key answers 401' });

export const ApiKeyCreateParams = z
  .strictObject({
    name: KeyName,
    roleId: RoleId.meta({ description: 'A built-in or custom role of the level the key is for' }),
    expiresAt: ExpiresAt.optional(),
    resellerId: prefixedId('res').optional().meta({ description: 'Provider only: make a key of this reseller' }),
  })
  .meta({ id: 'ApiKeyCreateParams' });
export type ApiKeyCreateParams = z.input<typeof ApiKeyCreateParams>;

export const TenantApiKeyCreateParams = z
  .strictObject({
    name: KeyName,
    roleId: RoleId.optional().meta({ description: 'Required unless `extension` is given' }),
    extension: z
      .string()
      .regex(/^[1-9][0-9]{1,5}$/)
      .optional()
      .meta({ description: 'Makes a user key bound to this extension: it sees only that extension' }),
    expiresAt: ExpiresAt.optional(),
  })
  .meta({ id: 'TenantApiKeyCreateParams' });
export type TenantApiKeyCreateParams = z.input<typeof TenantApiKeyCreateParams>;

export const ApiKeyRotateParams = z
  .strictObject({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400)
      .meta({ description: 'How long the old secret keeps working; 0 = stops at once. Default 24 h' }),
  })
  .meta({ id: 'ApiKeyRotateParams' });
export type ApiKeyRotateParams = z.input<typeof ApiKeyRotateParams>;

export const ApiKeyList = listOf(ApiKey).meta({ id: 'ApiKeyList' });

export const SigningKeyRotation = z
  .object({
    object: z.literal('signing_key'),
    tenantId: z.string(),
    rotatedAt: Timestamp,
  })
  .meta({ id: 'SigningKeyRotation' });
export type SigningKeyRotation = z.infer<typeof SigningKeyRotation>;
