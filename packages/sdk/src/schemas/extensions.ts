import { z } from 'zod';
import { prefixedId, Timestamp, listOf } from './common';
import { TenantId } from './tenants';

export const ExtensionId = prefixedId('ext').meta({ id: 'ExtensionId' });

export const ExtensionNumber = z
  .string()
  .regex(/^[1-9][0-9]{1,5}$/, 'must be 2 to 6 digits, not starting with 0')
  .meta({ description: 'Tenant-scoped dialable number; two tenants may both own 101', example: '101' });

export const SipPassword = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .meta({ description: 'SIP digest password', writeOnly: true });

export const Extension = z
  .object({
    id: ExtensionId,
    object: z.literal('extension'),
    tenantId: TenantId,
    number: ExtensionNumber,
    displayName: z.string(),
    sipUri: z.string().meta({ example: 'sip:101@acme-dental.sip.localhost' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Extension' });
export type Extension = z.infer<typeof Extension>;

/** Returned by create only: the SIP password is shown once and stored as a digest hash. */
export const ExtensionWithPassword = Extension.extend({ sipPassword: z.string() }).meta({ id: 'ExtensionWithPassword' });
export type ExtensionWithPassword = z.infer<typeof ExtensionWithPassword>;

export const ExtensionCreateParams = z
  .strictObject({
    number: ExtensionNumber,
    displayName: z.string().trim().min(1).max(100),
    sipPassword: SipPassword.optional().meta({ description: 'Generated when omitted' }),
  })
  .meta({ id: 'ExtensionCreateParams' });
export type ExtensionCreateParams = z.input<typeof ExtensionCreateParams>;

export const ExtensionUpdateParams = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).optional(),
    sipPassword: SipPassword.optional(),
  })
  .meta({ id: 'ExtensionUpdateParams' });
export type ExtensionUpdateParams = z.input<typeof ExtensionUpdateParams>;

export const ExtensionList = listOf(Extension).meta({ id: 'ExtensionList' });

/** `?number=` finds the one extension with that number (an empty page when there is none). */
export const ExtensionListParams = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
  number: ExtensionNumber.optional().meta({ description: 'Only the extension with this number' }),
});
export type ExtensionListParams = { limit?: number; cursor?: string; number?: string };

/** The most extensions one batch request may create; the SDK's `createMany()` sends larger arrays in chunks of this size. */
export const EXTENSION_BATCH_MAX = 1000;

export const ExtensionBatchCreateParams = z
  .strictObject({
    items: z
      .array(ExtensionCreateParams)
      .min(1)
      .max(EXTENSION_BATCH_MAX)
      .meta({ description: `1 to ${EXTENSION_BATCH_MAX} extensions, created all together or not at all; an error names each failing item as \`items.<index>.<field>\`` }),
  })
  .meta({ id: 'ExtensionBatchCreateParams' });
export type ExtensionBatchCreateParams = z.input<typeof ExtensionBatchCreateParams>;

/** Every created extension in the order of the request's items, each with its SIP password (shown this once). */
export const ExtensionBatch = z
  .object({ object: z.literal('list'), data: z.array(ExtensionWithPassword) })
  .meta({ id: 'ExtensionBatch' });
export type ExtensionBatch = z.infer<typeof ExtensionBatch>;
