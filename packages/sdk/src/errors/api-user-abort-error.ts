import { HighriseError } from './highrise-error';

/** The caller's own `signal` aborted the request; never retried. */
export class APIUserAbortError extends HighriseError {
  override name = 'APIUserAbortError';

  constructor({ message = 'Request was aborted.', cause }: { message?: string; cause?: unknown } = {}) {
    super(message, { cause });
  }
}
