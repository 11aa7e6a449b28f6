/** What every call's result carries besides its data, as non-enumerable properties. */
export interface ResponseMeta {
  /** The platform's `Request-Id`: quote it when you report a problem. */
  readonly _requestId: string | null;
  /** True when the platform replayed the first response to this `Idempotency-Key`. */
  readonly _idempotentReplayed: boolean;
}

/** An object result with its metadata; primitives pass through unchanged. */
export type WithMeta<T> = T extends object ? T & ResponseMeta : T;

/** The final HTTP answer of a call (after retries), before its body is read. */
export interface RawResponse {
  response: Response;
  requestId: string | null;
  idempotentReplayed: boolean;
}

export interface WithResponse<T> {
  data: WithMeta<T>;
  response: Response;
  requestId: string | null;
  idempotentReplayed: boolean;
}

/**
 * What a client method returns: a promise of the parsed result that also offers the raw HTTP
 * response (openai-node's pattern).
 * - `await hr.tenants.retrieve(id)`: the tenant, with `_requestId` and `_idempotentReplayed`
 *   defined on it (non-enumerable, so JSON and spreads do not carry them).
 * - `.withResponse()`: `{ data, response, requestId, idempotentReplayed }`.
 * - `.asResponse()`: the `Response` alone, its body unread and unvalidated.
 * The request is sent at once, as with any promise; a non-2xx answer rejects all three.
 */
export class APIPromise<T> extends Promise<WithMeta<T>> {
  readonly #raw: Promise<RawResponse>;
  readonly #parse: (raw: RawResponse) => Promise<T>;
  #parsed: Promise<WithMeta<T>> | undefined;

  constructor(raw: Promise<RawResponse>, parse: (raw: RawResponse) => Promise<T>) {
    super((resolve) => resolve(null as WithMeta<T>));
    this.#raw = raw;
    this.#parse = parse;
    // A call nobody awaits must not become an unhandled rejection through this inner promise.
    raw.catch(() => {});
  }

  // `then` on a subclass would otherwise construct another APIPromise through the species.
  static override get [Symbol.species]() {
    return Promise;
  }

  asResponse(): Promise<Response> {
    return this.#raw.then((raw) => raw.response);
  }

  async withResponse(): Promise<WithResponse<T>> {
    const [data, raw] = await Promise.all([this.#result(), this.#raw]);
    return { data, response: raw.response, requestId: raw.requestId, idempotentReplayed: raw.idempotentReplayed };
  }

  #result(): Promise<WithMeta<T>> {
    this.#parsed ??= this.#raw.then(async (raw) => withMeta(await this.#parse(raw), raw));
    return this.#parsed;
  }

  override then<A = WithMeta<T>, B = never>(
    onfulfilled?: ((value: WithMeta<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#result().then(onfulfilled, onrejected);
  }

  override catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<WithMeta<T> | B> {
    return this.#result().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<WithMeta<T>> {
    return this.#result().finally(onfinally);
  }
}

function withMeta<T>(value: T, raw: RawResponse): WithMeta<T> {
  if (typeof value === 'object' && value !== null && Object.isExtensible(value)) {
    Object.defineProperties(value, {
      _requestId: { value: raw.requestId, enumerable: false, configurable: true },
      _idempotentReplayed: { value: raw.idempotentReplayed, enumerable: false, configurable: true },
    });
  }
  return value as WithMeta<T>;
}
