/** Per-request options, accepted last by every SDK method. */
export interface RequestOptions {
  /** Extra headers for this request; they win over the client's. */
  headers?: HeadersInit;
  /** Milliseconds to wait for each attempt's response. */
  timeout?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** Aborting it cancels the request (and any pending retry) with `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Replaces the generated `Idempotency-Key` of a POST, e.g. to make a create safe across process restarts. */
  idempotencyKey?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryParams = Record<string, string | number | boolean | null | undefined>;
