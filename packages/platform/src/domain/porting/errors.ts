import type { PortDocumentKindName } from '../../store/porting-types';
import { DomainError } from '../errors';

/** The action is not allowed from the order's current status; the details list what is. */
export class InvalidState extends DomainError {
  readonly code = 'invalid_state';
  constructor(status: string, action: string, allowed: readonly string[]) {
    super(`cannot ${action.replace('_', ' ')} a port order that is ${status.replace('_', ' ')}; allowed: ${allowed.join(', ') || 'nothing'}`);
    this.name = 'InvalidState';
    this.details.push({ field: 'status', issue: status });
    for (const a of allowed) this.details.push({ field: 'allowedActions', issue: a });
  }
}

/** Numbers already on the platform or claimed by another open port order. */
export class NumbersUnavailable extends DomainError {
  readonly code = 'numbers_unavailable';
  constructor(unavailable: readonly { index: number; number: string; why: string }[]) {
    super(`${unavailable.length} number(s) cannot be ported: ${unavailable.map((u) => u.number).join(', ')}`);
    this.name = 'NumbersUnavailable';
    for (const u of unavailable) this.details.push({ field: `numbers.${u.index}`, issue: `${u.number} ${u.why}` });
  }
}

/** Submit needs both documents. */
export class RequirementsMissing extends DomainError {
  readonly code = 'requirements_missing';
  constructor(missing: readonly PortDocumentKindName[]) {
    super(`attach these documents before submitting: ${missing.join(', ')}`);
    this.name = 'RequirementsMissing';
    for (const kind of missing) this.details.push({ field: 'documents', issue: `missing ${kind === 'loa' ? 'loa (letter of authorisation, PDF)' : 'bill (recent bill: PDF, PNG or JPEG)'}` });
  }
}

export class UnsupportedMediaType extends DomainError {
  readonly code = 'unsupported_media_type';
  constructor(issue: string) {
    super(issue);
    this.name = 'UnsupportedMediaType';
    this.details.push({ field: 'body', issue });
  }
}

/** Several bad fields at once (every wrong number of an order, by index). */
export class InvalidFields extends DomainError {
  readonly code = 'validation_error';
  constructor(details: readonly { field: string; issue: string }[]) {
    super(`invalid body: ${details.map((d) => d.field).join(', ')}`);
    this.name = 'InvalidFields';
    this.details.push(...details);
  }
}
