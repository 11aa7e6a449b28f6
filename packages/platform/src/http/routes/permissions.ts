import { PermissionList } from '@highrise/sdk/schemas';
import { describePermissions } from '../../domain/permissions';
import { route } from '../route';

export const permissionRoutes = [
  route({
    method: 'GET',
    path: '/v1/permissions',
    scope: 'authenticated',
    permission: 'roles:read',
    operationId: 'listPermissions',
    summary: 'Every permission a role can hold, what it allows, and at which levels',
    response: { status: 200, schema: PermissionList, description: 'All permissions (one page)' },
    handle: () => ({ data: describePermissions().map((p) => ({ object: 'permission' as const, ...p })), nextCursor: null }),
  }),
];
