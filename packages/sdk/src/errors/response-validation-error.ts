import { HighriseError } from './highrise-error';

export interface ValidationIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/**
 * A 2xx response whose body does not match the contract schema. Not an `APIError`: the platform
 * said yes, but this SDK cannot vouch for what it got (usually an SDK/platform version mismatch).
 */
export class ResponseValidationError extends HighriseError {
  override name = 'ResponseValidationError';
  readonly status: number;
  readonly requestId: string | null;
  readonly issues: ValidationIssue[];
  /** The body as received, for debugging. */
  readonly body: unknown;

  constructor(init: { message: string; status: number; requestId: string | null; issues: ValidationIssue[]; body: unknown }) {
    super(init.message);
    this.status = init.status;
    this.requestId = init.requestId;
    this.issues = init.issues;
    this.body = init.body;
  }
}
