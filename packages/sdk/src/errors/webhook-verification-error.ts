import { HighriseError } from './highrise-error';

export type WebhookVerificationFailure = 'malformed_header' | 'no_matching_signature' | 'timestamp_out_of_tolerance' | 'malformed_body';

/** A webhook that must not be trusted; `reason` says why, for logs (never answer the sender with it). */
export class WebhookVerificationError extends HighriseError {
  override name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationFailure;

  constructor(reason: WebhookVerificationFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}
