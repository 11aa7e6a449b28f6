import { APIConnectionError } from './api-connection-error';

/** No answer within `timeout` ms (per attempt), after every retry was spent. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';

  constructor({ message = 'Request timed out.', cause }: { message?: string; cause?: unknown } = {}) {
    super({ message, cause });
  }
}
