/**
 * Typed failures of the business rules. Only the edges (HTTP, SIP) turn them into status codes;
 * `code` is the stable error code clients switch on.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Field-level detail for errors about one input field. */
  readonly details: { field: string; issue: string }[] = [];
}

export type ResourceKind = 'tenant' | 'extension' | 'reseller';

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

export class PermissionDenied extends DomainError {
  readonly code = 'permission_denied';
  constructor(message = 'this API key may not do that') {
    super(message);
    this.name = 'PermissionDenied';
  }
}

export class LimitExceeded extends DomainError {
  readonly code = 'limit_exceeded';
  constructor(limit: string, max: number) {
    super(`the tenant's ${limit} limit of ${max} is reached`);
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

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
