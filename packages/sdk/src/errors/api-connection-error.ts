import { HighriseError } from './highrise-error';

/** The request never got an HTTP answer: DNS, refused connection, reset socket, CORS. */
export class APIConnectionError extends HighriseError {
  override name = 'APIConnectionError';

  constructor({ message = 'Connection error.', cause }: { message?: string; cause?: unknown } = {}) {
    super(message, { cause });
  }
}
