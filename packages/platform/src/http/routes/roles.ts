import { Deleted, ListParams, Role, RoleCreateParams, RoleList, RoleUpdateParams } from '@highrise/sdk/schemas';
import { createRole, deleteRole, listRoles, platformRoleOwner, retrieveRole, tenantRoleOwner, updateRole } from '../../domain/roles';
import { presentPage } from '../present';
import { presentRole } from '../present-identity';
import { route, tenantRoute } from '../route';

/** Custom roles of a tenant (names unique inside it) and of the provider or a reseller (`/v1/roles`). */
export const roleRoutes = [
  tenantRoute({
    method: 'POST',
    path: '/v1/tenants/{tenantId}/roles',
    permission: 'roles:manage',
    operationId: 'createTenantRole',
    summary: 'Create a custom role in a tenant; you can grant only permissions you hold',
    body: RoleCreateParams,
    response: { status: 201, schema: Role, description: 'The new role' },
    errors: ['role_exists'],
    handle: async ({ services, actor, tenant, body }) => presentRole(await createRole(services.domain, actor, tenantRoleOwner(tenant), body)),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/roles',
    permission: 'roles:read',
    operationId: 'listTenantRoles',
    summary: "List a tenant's roles: the built-in ones first, then custom ones",
    query: ListParams,
    response: { status: 200, schema: RoleList, description: 'One page of roles' },
    handle: async ({ tenant, query }) => presentPage(await listRoles(tenantRoleOwner(tenant), { limit: query.limit, after: query.cursor }), presentRole),
  }),
  tenantRoute({
    method: 'GET',
    path: '/v1/tenants/{tenantId}/roles/{roleId}',
    permission: 'roles:read',
    operationId: 'retrieveTenantRole',
    summary: 'Retrieve a role of a tenant',
    response: { status: 200, schema: Role, description: 'The role' },
    handle: async ({ tenant, params }) => presentRole(await retrieveRole(tenantRoleOwner(tenant), params.roleId)),
  }),
  tenantRoute({
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/roles/{roleId}',
    permission: 'roles:manage',
    operationId: 'updateTenantRole',
    summary: 'Change a custom role; every key holding it changes with it',
    body: RoleUpdateParams,
    response: { status: 200, schema: Role, description: 'The updated role' },
    errors: ['role_exists', 'role_immutable'],
    handle: async ({ services, actor, tenant, params, body }) => presentRole(await updateRole(services.domain, actor, tenantRoleOwner(tenant), params.roleId, body)),
  }),
  tenantRoute({
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/roles/{roleId}',
    permission: 'roles:manage',
    operationId: 'deleteTenantRole',
    summary: 'Delete a custom role that no key holds',
    response: { status: 200, schema: Deleted, description: 'The role is gone' },
    errors: ['role_immutable', 'role_in_use'],
    handle: async ({ services, actor, tenant, params }) => {
      await deleteRole(services.domain, actor, tenantRoleOwner(tenant), params.roleId);
      return { id: params.roleId, object: 'role', deleted: true as const };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/roles',
    scope: 'platform',
    permission: 'roles:manage',
    operationId: 'createRole',
    summary: "Create a custom role at the caller's level (provider or reseller)",
    body: RoleCreateParams,
    response: { status: 201, schema: Role, description: 'The new role' },
    errors: ['role_exists'],
    handle: async ({ services, actor, body }) => presentRole(await createRole(services.domain, actor, platformRoleOwner(services.domain, actor.principal), body)),
  }),
  route({
    method: 'GET',
    path: '/v1/roles',
    scope: 'platform',
    permission: 'roles:read',
    operationId: 'listRoles',
    summary: "List the roles of the caller's level",
    query: ListParams,
    response: { status: 200, schema: RoleList, description: 'One page of roles' },
    handle: async ({ services, principal, query }) =>
      presentPage(await listRoles(platformRoleOwner(services.domain, principal), { limit: query.limit, after: query.cursor }), presentRole),
  }),
  route({
    method: 'GET',
    path: '/v1/roles/{roleId}',
    scope: 'platform',
    permission: 'roles:read',
    operationId: 'retrieveRole',
    summary: "Retrieve a role of the caller's level",
    response: { status: 200, schema: Role, description: 'The role' },
    handle: async ({ services, principal, params }) => presentRole(await retrieveRole(platformRoleOwner(services.domain, principal), params.roleId)),
  }),
  route({
    method: 'PATCH',
    path: '/v1/roles/{roleId}',
    scope: 'platform',
    permission: 'roles:manage',
    operationId: 'updateRole',
    summary: "Change a custom role of the caller's level",
    body: RoleUpdateParams,
    response: { status: 200, schema: Role, description: 'The updated role' },
    errors: ['role_exists', 'role_immutable'],
    handle: async ({ services, actor, params, body }) =>
      presentRole(await updateRole(services.domain, actor, platformRoleOwner(services.domain, actor.principal), params.roleId, body)),
  }),
  route({
    method: 'DELETE',
    path: '/v1/roles/{roleId}',
    scope: 'platform',
    permission: 'roles:manage',
    operationId: 'deleteRole',
    summary: "Delete a custom role of the caller's level that no key holds",
    response: { status: 200, schema: Deleted, description: 'The role is gone' },
    errors: ['role_immutable', 'role_in_use'],
    handle: async ({ services, actor, params }) => {
      await deleteRole(services.domain, actor, platformRoleOwner(services.domain, actor.principal), params.roleId);
      return { id: params.roleId, object: 'role', deleted: true as const };
    },
  }),
];
