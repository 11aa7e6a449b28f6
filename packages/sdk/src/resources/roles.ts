import * as shapes from '../generated/response-shapes';
import type { APIPromise } from '../core/api-promise';
import type { Deleted, PermissionList, Role } from '../models';
import type { RoleList, RoleCreateParams, RoleUpdateParams } from '../schemas/roles';
import type { Highrise } from '../client';
import type { CursorPageParams, PagePromise } from '../core/pagination';
import { path } from '../core/path';
import type { RequestOptions } from '../core/request-options';
import { APIResource } from '../core/resource';

abstract class RoleResource extends APIResource {
  protected abstract base(): string;

  /** Unknown permissions are a 400 whose details list the valid ones; you can grant only what you hold. */
  create(params: RoleCreateParams, options?: RequestOptions): APIPromise<Role> {
    return this.client.request({ method: 'POST', path: this.base(), body: params, schema: shapes.Role }, options);
  }

  /** Built-in roles (owner, admin, support, billing) first, then custom ones. */
  list(params?: CursorPageParams, options?: RequestOptions): PagePromise<Role> {
    return this.client.getList(this.base(), shapes.RoleList, params, options);
  }

  retrieve(roleId: string, options?: RequestOptions): APIPromise<Role> {
    return this.client.request({ method: 'GET', path: this.base() + path`/${roleId}`, schema: shapes.Role }, options);
  }

  update(roleId: string, params: RoleUpdateParams, options?: RequestOptions): APIPromise<Role> {
    return this.client.request({ method: 'PATCH', path: this.base() + path`/${roleId}`, body: params, schema: shapes.Role }, options);
  }

  delete(roleId: string, options?: RequestOptions): APIPromise<Deleted> {
    return this.client.request({ method: 'DELETE', path: this.base() + path`/${roleId}`, schema: shapes.Deleted }, options);
  }
}

/** `hr.roles`: roles of the caller's own level (the provider's, or the calling reseller's). */
export class Roles extends RoleResource {
  protected base() {
    return '/v1/roles';
  }
}

/** `hr.tenant(id).roles`: the tenant's roles; names are unique inside the tenant only. */
export class TenantRoles extends RoleResource {
  readonly tenantId: string;

  constructor(client: Highrise, tenantId: string) {
    super(client);
    this.tenantId = tenantId;
  }

  protected base() {
    return path`/v1/tenants/${this.tenantId}/roles`;
  }
}

/** `hr.permissions`: every permission a role can hold. */
export class Permissions extends APIResource {
  list(options?: RequestOptions): APIPromise<PermissionList> {
    return this.client.request({ method: 'GET', path: '/v1/permissions', schema: shapes.PermissionList }, options);
  }
}
