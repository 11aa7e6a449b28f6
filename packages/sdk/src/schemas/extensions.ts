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
