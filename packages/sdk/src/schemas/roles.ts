import { z } from 'zod';
import { listOf, Timestamp } from './common';
import { Permission } from './permissions';

export const RoleId = z
  .string()
  .regex(/^rol_[0-9A-Za-z]{10,40}$/, 'must be an id starting with rol_')
  .meta({ id: 'RoleId', example: 'rol_tenantSupport' });

export const RoleLevel = z.enum(['provider', 'reseller', 'tenant']);
export type RoleLevel = z.infer<typeof RoleLevel>;

export const Role = z
  .object({
    id: RoleId,
    object: z.literal('role'),
    name: z.string(),
    description: z.string(),
    level: RoleLevel,
    builtIn: z.boolean().meta({ description: 'Built-in roles (owner, admin, support, billing) cannot be changed or deleted' }),
    tenantId: z.string().nullable(),
    resellerId: z.string().nullable(),
    permissions: z.array(Permission),
    createdAt: Timestamp.nullable(),
    updatedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;

const RoleName = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[\p{L}\p{N} _.-]+$/u, 'letters, digits, spaces, dots, dashes and underscores')
  .meta({ description: 'Unique among the roles of the same tenant (or reseller, or the provider)', example: 'support' });

// Permissions are validated by the platform (not here) so an unknown one answers a 400 that lists the valid ones.
const PermissionInput = z.array(z.string().max(100)).max(100);

export const RoleCreateParams = z
  .strictObject({
    name: RoleName,
    description: z.string().trim().max(500).default(''),
    permissions: PermissionInput.meta({ description: 'Each one of GET /v1/permissions' }),
  })
  .meta({ id: 'RoleCreateParams' });
export type RoleCreateParams = z.input<typeof RoleCreateParams>;

export const RoleUpdateParams = z
  .strictObject({
    name: RoleName.optional(),
    description: z.string().trim().max(500).optional(),
    permissions: PermissionInput.optional(),
  })
  .meta({ id: 'RoleUpdateParams' });
export type RoleUpdateParams = z.input<typeof RoleUpdateParams>;

export const RoleList = listOf(Role).meta({ id: 'RoleList' });
