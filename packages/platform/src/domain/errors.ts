import type { ErrorCode } from '@highrise/sdk/schemas';

/**
 * Typed failures of the business rules. Only the edges (HTTP, SIP) turn them into status codes;
 * `code` is the stable error code clients switch on.
 */
export abstract class DomainError extends Error {
  /** One of the SDK's stable codes; the HTTP edge answers it with that code's status (http/error-codes.ts). */
  abstract readonly code: ErrorCode;
  /** Field-level detail for errors about one input field. */
  readonly details: { field: string; issue: string }[] = [];
}

export type ResourceKind = 'tenant' | 'extension' | 'reseller' | 'call' | 'number' | 'dial_rule' | 'ring_group' | 'trunk' | 'role' | 'api_key' | 'port_order' | 'port_document' | 'webhook_endpoint' | 'webhook_delivery' | 'branding_logo';

/**
 * Something that does not exist or that the caller may not see. The message names only the kind,
 * never the id, so a foreign tenant's resource and a missing one look exactly alike.
 */
export class NotFound extends DomainError {
  readonly code = 'not_found';
  constructor(readonly resource: ResourceKind) {
    super(`${resource} not found`);
    this.name = 'NotFound';
  }
}

export class TenantExists extends DomainError {
  readonly code = 'tenant_exists';
  constructor(slug: string) {
    super(`a tenant with slug "${slug}" already exists`);
    this.name = 'TenantExists';
    this.details.push({ field: 'slug', issue: 'already taken' });
  }
}

export class ExtensionExists extends DomainError {
  readonly code = 'extension_exists';
  constructor(number: string) {
    super(`extension ${number} already exists in this tenant`);
    this.name = 'ExtensionExists';
    this.details.push({ field: 'number', issue: 'already taken in this tenant' });
  }
}

/** Items of a batch whose numbers are taken, in the tenant or by an earlier item; one detail per item, named by its index. */
export class ExtensionsExist extends DomainError {
  readonly code = 'extension_exists';
  constructor(conflicts: readonly { index: number; issue: string }[]) {
    super(`${conflicts.length} of the batch's numbers ${conflicts.length === 1 ? 'is' : 'are'} taken; nothing was created`);
    this.name = 'ExtensionsExist';
    for (const { index, issue } of conflicts) this.details.push({ field: `items.${index}.number`, issue });
  }
}

export class PermissionDenied extends DomainError {
  readonly code = 'permission_denied';
  /** `missing`: the permissions the caller lacks, one detail each. */
  constructor(message = 'this API key may not do that', missing: readonly string[] = []) {
    super(message);
    this.name = 'PermissionDenied';
    for (const p of missing) this.details.push({ field: 'permissions', issue: `missing ${p}` });
  }
}

export class LimitExceeded extends DomainError {
  readonly code = 'limit_exceeded';
  constructor(limit: string, max: number, message = `the tenant's ${limit} limit of ${max} is reached`) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

export class TenantSuspended extends DomainError {
  readonly code = 'tenant_suspended';
  constructor() {
    super('the tenant is suspended');
    this.name = 'TenantSuspended';
  }
}

/** A reference in the input (such as `resellerId`) that points at nothing. */
export class InvalidReference extends DomainError {
  readonly code = 'validation_error';
  constructor(field: string, issue: string) {
    super(`${field}: ${issue}`);
    this.name = 'InvalidReference';
    this.details.push({ field, issue });
  }
}

/** One input field that passed its schema but not a rule only the domain can check (an image's bytes). */
export class InvalidField extends DomainError {
  readonly code = 'validation_error';
  constructor(field: string, issue: string) {
    super(`${field}: ${issue}`);
    this.name = 'InvalidField';
    this.details.push({ field, issue });
  }
}

/** A query parameter the schema accepts but the request cannot be answered with (the field is named as sent: `query.tz`). */
export class InvalidQuery extends DomainError {
  readonly code = 'validation_error';
  constructor(field: string, issue: string) {
    super(`query.${field}: ${issue}`);
    this.name = 'InvalidQuery';
    this.details.push({ field: `query.${field}`, issue });
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

export class ResellerSuspended extends DomainError {
  readonly code = 'reseller_suspended';
  constructor() {
    super('the reseller is suspended');
    this.name = 'ResellerSuspended';
  }
}

/** Unknown or out-of-level permissions; the details list every valid one so the caller can fix the request. */
export class InvalidPermissions extends DomainError {
  readonly code = 'validation_error';
  constructor(bad: readonly string[], valid: readonly string[], level: string) {
    super(`unknown or not allowed for a ${level} role: ${bad.join(', ')}; valid: ${valid.join(', ')}`);
    this.name = 'InvalidPermissions';
    for (const p of bad) this.details.push({ field: 'permissions', issue: `"${p}" is not a valid ${level} permission` });
    this.details.push({ field: 'permissions', issue: `valid: ${valid.join(', ')}` });
  }
}

export class RoleExists extends DomainError {
  readonly code = 'role_exists';
  constructor(name: string) {
    super(`a role named "${name}" already exists here`);
    this.name = 'RoleExists';
    this.details.push({ field: 'name', issue: 'already taken' });
  }
}

export class RoleInUse extends DomainError {
  readonly code = 'role_in_use';
  constructor(keys: number) {
    super(`${keys} API key(s) still hold this role; revoke them or give them another role first`);
    this.name = 'RoleInUse';
  }
}

export class RoleImmutable extends DomainError {
  readonly code = 'role_immutable';
  constructor() {
    super('built-in roles cannot be changed or deleted; create a custom role instead');
    this.name = 'RoleImmutable';
  }
}

/** A webhook URL the platform will not send to (loopback, private, reserved, `localhost`). */
export class WebhookUrlForbidden extends DomainError {
  readonly code = 'webhook_url_forbidden';
  constructor(issue: string) {
    super(`url: ${issue}`);
    this.name = 'WebhookUrlForbidden';
    this.details.push({ field: 'url', issue });
  }
}

/** Too many of one action in a window; the edge says when to retry (HTTP `Retry-After`). */
export class RateLimited extends DomainError {
  readonly code = 'rate_limited';
  constructor(
    what: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`too many ${what}; retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimited';
  }
}

/** A key of a deleted tenant: refused like a suspended one (403), with the reason, until a restore. */
export class TenantDeleted extends DomainError {
  readonly code = 'tenant_deleted';
  constructor() {
    super('the tenant is deleted');
    this.name = 'TenantDeleted';
  }
}

/**
 * A tenant with open port orders cannot be deleted: its numbers are on their way in, and the carrier
 * would complete them into a tenant that is gone. The details name every open order.
 */
export class PortOrdersOpen extends DomainError {
  readonly code = 'port_orders_open';
  constructor(readonly orderIds: readonly string[]) {
    super(`the tenant has ${orderIds.length} open port order(s): ${orderIds.join(', ')}; cancel them or wait until they complete`);
    this.name = 'PortOrdersOpen';
    for (const id of orderIds) this.details.push({ field: 'portOrders', issue: `${id} is open` });
  }
}
