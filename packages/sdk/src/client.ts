import ky, { isTimeoutError } from 'ky';
import { z } from 'zod';
import type { Page } from './schemas/common';
import { API_VERSION } from './version';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  HighriseError,
  ResponseValidationError,
} from './errors/index';
import { newIdempotencyKey } from './core/idempotency-key';
import { PagePromise, type CursorPageParams } from './core/pagination';
import type { HttpMethod, QueryParams, RequestOptions } from './core/request-options';
import { isRetryableStatus, retryDelayMs, sleep } from './core/retry';
import { Resellers } from './resources/resellers';
import { ApiKeys } from './resources/api-keys';
import { Permissions, Roles } from './resources/roles';
import { Numbers } from './resources/numbers';
import { AuditEvents } from './resources/audit-events';
import { WebhookEndpoints } from './resources/webhook-endpoints';
import { TenantClient } from './resources/tenant-client';
import { Tenants } from './resources/tenants';

export interface ClientOptions {
  /** Where the platform is, e.g. `https://pbx.example.com` (no `/v1`). */
  baseUrl: string;
  /** A provider, reseller or tenant key (`hr_live_…` / `hr_test_…`). */
  apiKey: string;
  /** `Highrise-Version` to pin; defaults to the version this SDK was written for. */
  version?: string;
  /** Retries after the first attempt, for connection errors, 408, 409 `idempotency_key_in_use`, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for each attempt's response. Default 30000. */
  timeout?: number;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double, an edge runtime). */
  fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: HeadersInit;
}

/** What a resource method asks of the core; `schema` validates the 2xx body. */
export interface APIRequest<S extends z.ZodType> {
  method: HttpMethod;
  path: string;
  query?: QueryParams;
  body?: unknown;
  /** A non-JSON body (a file upload), sent as is with its Content-Type. */
  rawBody?: { data: Blob | Uint8Array | ArrayBuffer; contentType: string };
  /** `bytes`: the 2xx body is a file; `schema` then validates `{ data: Uint8Array, contentType }`. */
  responseType?: 'json' | 'bytes';
  schema: S;
}

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 30_000;
/** setTimeout's ceiling; ky refuses anything longer. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * The Highrise API client.
 *
 * ```ts
 * const hr = new Highrise({ baseUrl: 'https://pbx.example.com', apiKey: process.env.HIGHRISE_API_KEY! });
 * const { tenant, adminKey } = await hr.tenants.create({ name: 'Acme Dental', slug: 'acme-dental', admin: { email, name } });
 * await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Reception' });
 * ```
 */
export class Highrise {
  readonly baseUrl: string;
  readonly version: string;
  readonly maxRetries: number;
  readonly timeout: number;
  readonly tenants: Tenants;
  readonly resellers: Resellers;
  /** Provider and reseller API keys (tenant keys: `hr.tenant(id).apiKeys`). */
  readonly apiKeys: ApiKeys;
  /** Roles of the caller's level (tenant roles: `hr.tenant(id).roles`). */
  readonly roles: Roles;
  readonly permissions: Permissions;
  /** The provider's inventory of phone numbers (provider keys only). */
  readonly numbers: Numbers;
  /** The audit log across the tenants the key may see (tenant keys: `hr.tenant(id).auditEvents`). */
  readonly auditEvents: AuditEvents;
  /** Webhook endpoints of the caller's level: a provider's get every tenant's events, a reseller's its tenants'. */
  readonly webhookEndpoints: WebhookEndpoints;
  readonly #options: ClientOptions;

  constructor(options: ClientOptions) {
    if (typeof options?.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw new HighriseError('`apiKey` is required: pass the API key as `new Highrise({ baseUrl, apiKey })`.');
    }
    if (typeof options.baseUrl !== 'string' || !isAbsoluteUrl(options.baseUrl)) {
      throw new HighriseError(`\`baseUrl\` must be an absolute URL such as https://pbx.example.com, got ${String(options.baseUrl)}.`);
    }
    this.#options = { ...options };
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.version = options.version ?? API_VERSION;
    this.maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
    this.tenants = new Tenants(this);
    this.resellers = new Resellers(this);
    this.apiKeys = new ApiKeys(this);
    this.roles = new Roles(this);
    this.permissions = new Permissions(this);
    this.numbers = new Numbers(this);
    this.auditEvents = new AuditEvents(this);
    this.webhookEndpoints = new WebhookEndpoints(this);
  }

  /** A new client with some options replaced; this one is left untouched. */
  withOptions(overrides: Partial<ClientOptions>): Highrise {
    return new Highrise({ ...this.#options, ...overrides });
  }

  /** The API of one tenant: `hr.tenant(id).extensions.create(…)`. Nothing is fetched until a method is called. */
  tenant(tenantId: string): TenantClient {
    return new TenantClient(this, tenantId);
  }

  /**
   * Sends one SDK call: one `Idempotency-Key` for all attempts of a POST, retries with backoff,
   * failures mapped to typed errors, the 2xx body validated against `schema`.
   *
   * ky is the transport with its own retry turned off: whether to retry depends on the error
   * code in the body (409 `idempotency_key_in_use`), and a single loop here decides and maps
   * every failure exactly once.
   */
  async request<S extends z.ZodType>(req: APIRequest<S>, options: RequestOptions = {}): Promise<z.output<S>> {
    const maxRetries = checkMaxRetries(options.maxRetries ?? this.maxRetries);
    const idempotencyKey = req.method === 'POST' ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    for (let retriesSoFar = 0; ; retriesSoFar++) {
      const mayRetry = retriesSoFar < maxRetries;
      let response: Response;
      try {
        response = await this.#send(req, options, idempotencyKey);
      } catch (cause) {
        if (options.signal?.aborted) throw new APIUserAbortError({ cause });
        const error = isTimeoutError(cause)
          ? new APIConnectionTimeoutError({ cause })
          : new APIConnectionError({ message: `Could not reach ${this.baseUrl}: ${messageOf(cause)}`, cause });
        if (!mayRetry) throw error;
        await this.#pause(retryDelayMs(retriesSoFar), options.signal);
        continue;
      }
      if (response.ok) return this.#parse(req, response);
      const error = APIError.generate(response.status, await readBody(response), response.headers);
      if (!mayRetry || !isRetryableStatus(error.status, error.code)) throw error;
      await this.#pause(retryDelayMs(retriesSoFar, response.headers), options.signal);
    }
  }

  /** A `list()` call: awaitable for the first page, `for await`-able for every item. */
  getList<Item>(path: string, schema: z.ZodType<Page<Item>>, params: CursorPageParams = {}, options?: RequestOptions): PagePromise<Item> {
    return new PagePromise((cursor) =>
      this.request({ method: 'GET', path, query: { ...params, cursor: cursor ?? params.cursor }, schema }, options),
    );
  }

  #send(req: APIRequest<z.ZodType>, options: RequestOptions, idempotencyKey: string | undefined): Promise<Response> {
    const headers = new Headers({
      Accept: 'application/json',
      Authorization: `Bearer ${this.#options.apiKey}`,
      'Highrise-Version': this.version,
    });
    if (idempotencyKey !== undefined) headers.set('Idempotency-Key', idempotencyKey);
    mergeHeaders(headers, this.#options.headers);
    mergeHeaders(headers, options.headers);
    if (req.rawBody !== undefined) headers.set('Content-Type', req.rawBody.contentType);
    return ky(this.#url(req.path, req.query), {
      method: req.method,
      headers,
      ...(req.body !== undefined && { json: req.body }),
      ...(req.rawBody !== undefined && { body: req.rawBody.data as BodyInit }),
      retry: 0,
      throwHttpErrors: false,
      timeout: checkTimeout(options.timeout ?? this.timeout),
      ...(options.signal && { signal: options.signal }),
      ...(this.#options.fetch && { fetch: this.#options.fetch }),
    });
  }

  #url(path: string, query: QueryParams | undefined): string {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  async #parse<S extends z.ZodType>(req: APIRequest<S>, response: Response): Promise<z.output<S>> {
    const body =
      req.responseType === 'bytes'
        ? { data: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? 'application/octet-stream' }
        : await readBody(response);
    const requestId = response.headers.get('request-id') ?? response.headers.get('x-request-id');
    const result = req.schema.safeParse(body);
    if (result.success) return result.data;
    throw new ResponseValidationError({
      message: `${req.method} ${req.path} returned ${response.status} with a body this SDK does not understand:\n${z.prettifyError(result.error)}`,
      status: response.status,
      requestId,
      issues: result.error.issues.map(({ path, message, code }) => ({ path, message, code })),
      body,
    });
  }

  async #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (cause) {
      throw new APIUserAbortError({ cause });
    }
  }
}

/** JSON when it parses, the raw text otherwise (a proxy's HTML error page), undefined when empty. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function mergeHeaders(target: Headers, extra: HeadersInit | undefined): void {
  if (extra) new Headers(extra).forEach((value, name) => target.set(name, value));
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return error.message + cause;
}

function checkMaxRetries(value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new HighriseError(`\`maxRetries\` must be a whole number >= 0, got ${value}.`);
  return value;
}

function checkTimeout(value: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new HighriseError(`\`timeout\` must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS}, got ${value}.`);
  }
  return value;
}
