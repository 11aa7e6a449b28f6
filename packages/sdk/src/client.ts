import ky, { isHTTPError, isTimeoutError, type KyInstance, type Options as KyOptions } from 'ky';
import type { Page } from './schemas/common';
import { API_VERSION, SDK_VERSION } from './version';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  HighriseError,
  ResponseValidationError,
  type ValidationIssue,
} from './errors/index';
import { APIPromise, type RawResponse } from './core/api-promise';
import { newIdempotencyKey } from './core/idempotency-key';
import { shapeIssues, type Shape } from './core/shape';
import type { Open } from './core/open';
import { PagePromise, type CursorPageParams } from './core/pagination';
import type { HttpMethod, QueryParams, RequestOptions } from './core/request-options';
import { retryPolicy } from './core/retry';
import { Resellers } from './resources/resellers';
import { ProviderBranding } from './resources/branding';
import { ApiKeys } from './resources/api-keys';
import { Permissions, Roles } from './resources/roles';
import { Numbers } from './resources/numbers';
import { AuditEvents } from './resources/audit-events';
import { PortOrders } from './resources/port-orders';
import { Analytics } from './resources/analytics';
import { WebhookEndpoints } from './resources/webhook-endpoints';
import { TenantClient } from './resources/tenant-client';
import { Tenants } from './resources/tenants';

/**
 * How 2xx bodies are checked against the SDK's schemas:
 * - `lenient` (default): the body is returned as received, unknown fields included; an enum value,
 *   id format or union member this SDK does not know is accepted; a missing field or a value of
 *   the wrong type throws `ResponseValidationError`.
 * - `strict`: anything the schema does not describe throws; unknown fields are dropped.
 * - `warn`: checked as strictly, but a mismatch is logged (`logger.warn`) and the body returned as received.
 * - `off`: not checked at all.
 */
export type ValidateResponses = 'lenient' | 'strict' | 'warn' | 'off';

/** Any console-like object; each method is optional. */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}

/** One attempt about to be sent. `headers` may be changed (a tracing header, say). */
export interface RequestEvent {
  method: HttpMethod;
  url: string;
  headers: Headers;
  /** 0 for the first attempt, 1 for the first retry, … */
  attempt: number;
}

/** The answer to one attempt (2xx or not). Do not read `response`'s body; clone it if you must. */
export interface ResponseEvent extends RequestEvent {
  response: Response;
  durationMs: number;
  requestId: string | null;
}

export interface ClientOptions {
  /** Where the platform is, e.g. `https://pbx.example.com` (no `/v1`). Default: `HIGHRISE_BASE_URL` in Node. */
  baseUrl?: string;
  /** A provider, reseller or tenant key (`hr_live_…` / `hr_test_…`). Default: `HIGHRISE_API_KEY` in Node. */
  apiKey?: string;
  /**
   * `Highrise-Version` to pin; defaults to API_VERSION, the one this SDK was built for. Another
   * version gets that version's response shapes, which this SDK's types do not describe: responses
   * are then not checked unless `validateResponses` is set.
   */
  version?: string;
  /** Retries after the first attempt, for connection errors, 408, 409 `idempotency_key_in_use`, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Milliseconds to wait for each attempt's response. Default 30000. */
  timeout?: number;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double, an edge runtime). */
  fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: HeadersInit;
  /** How 2xx bodies are checked; default `lenient` (`off` when `version` is not API_VERSION). See {@link ValidateResponses}. */
  validateResponses?: ValidateResponses;
  /** Receives one `debug` line per attempt and `warn` for response mismatches. Default: nothing but `warn` to `console`. */
  logger?: Logger;
  /** Called before every attempt, retries included. */
  onRequest?: (event: RequestEvent) => void | Promise<void>;
  /** Called after every attempt that got an HTTP answer. */
  onResponse?: (event: ResponseEvent) => void | Promise<void>;
  /**
   * An API key in a web page is readable by everyone who loads the page, and every Highrise key
   * is a secret. The client refuses to start in a browser unless this says you know (an operator
   * console behind a login, an intranet tool). Mint softphone tokens on your server instead.
   */
  dangerouslyAllowBrowser?: boolean;
}

/** What a resource method asks of the core; `schema` describes the 2xx body. */
export interface APIRequest<T> {
  method: HttpMethod;
  path: string;
  query?: QueryParams;
  body?: unknown;
  /** A non-JSON body (a file upload), sent as is with its Content-Type. */
  rawBody?: { data: Blob | Uint8Array | ArrayBuffer; contentType: string };
  /** `bytes`: the 2xx body is a file; `schema` then describes `{ data: Uint8Array, contentType }`. */
  responseType?: 'json' | 'bytes';
  /** The response's shape (generated/response-shapes.ts); its name finds the zod schema for strict checks. */
  schema: Shape<T>;
}

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 30_000;
/** setTimeout's ceiling. */
const MAX_TIMEOUT_MS = 2_147_483_647;
const VALIDATE_MODES: readonly ValidateResponses[] = ['lenient', 'strict', 'warn', 'off'];

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
  readonly validateResponses: ValidateResponses;
  readonly tenants: Tenants;
  readonly resellers: Resellers;
  /** The provider's branding; a reseller's: `hr.branding.reseller(id)`; a tenant's: `hr.tenant(id).branding`. */
  readonly branding: ProviderBranding;
  /** Provider and reseller API keys (tenant keys: `hr.tenant(id).apiKeys`). */
  readonly apiKeys: ApiKeys;
  /** Roles of the caller's level (tenant roles: `hr.tenant(id).roles`). */
  readonly roles: Roles;
  readonly permissions: Permissions;
  /** The provider's inventory of phone numbers (provider keys only). */
  readonly numbers: Numbers;
  /** The audit log across the tenants the key may see (tenant keys: `hr.tenant(id).auditEvents`). */
  readonly auditEvents: AuditEvents;
  /** Port orders across the tenants the key may see (`hr.tenant(id).portOrders` acts on one). */
  readonly portOrders: PortOrders;
  /** Call figures across the tenants the key may see (tenant keys: `hr.tenant(id).analytics`). */
  readonly analytics: Analytics;
  /** Webhook endpoints of the caller's level: a provider's get every tenant's events, a reseller's its tenants'. */
  readonly webhookEndpoints: WebhookEndpoints;
  readonly #options: ClientOptions;
  readonly #apiKey: string;
  /** This client's HTTP core: its headers, timeout, retry policy and hooks. Never changed after construction. */
  readonly #ky: KyInstance;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('HIGHRISE_API_KEY');
    const baseUrl = options.baseUrl ?? readEnv('HIGHRISE_BASE_URL');
    if (typeof apiKey !== 'string' || apiKey.trim() === '') {
      throw new HighriseError('`apiKey` is required: pass it as `new Highrise({ baseUrl, apiKey })` or set HIGHRISE_API_KEY.');
    }
    if (typeof baseUrl !== 'string' || !isAbsoluteUrl(baseUrl)) {
      throw new HighriseError(`\`baseUrl\` must be an absolute URL such as https://pbx.example.com (or set HIGHRISE_BASE_URL), got ${String(baseUrl)}.`);
    }
    if (isBrowser() && !options.dangerouslyAllowBrowser) {
      throw new HighriseError(
        'This looks like a browser, where an API key is visible to everyone who loads the page. Call Highrise from your server ' +
          '(mint softphone tokens there), or pass `dangerouslyAllowBrowser: true` if only trusted operators can load this page.',
      );
    }
    if (options.validateResponses !== undefined && !VALIDATE_MODES.includes(options.validateResponses)) {
      throw new HighriseError(`\`validateResponses\` must be one of ${VALIDATE_MODES.join(', ')}, got ${String(options.validateResponses)}.`);
    }
    this.#options = { ...options };
    this.#apiKey = apiKey;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.version = options.version ?? API_VERSION;
    this.maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
    // The shapes this SDK checks are those of API_VERSION; pinned to another version, a response is
    // in that version's shapes (a tenant without `deletedAt` before 2026-12-01), so nothing is checked unless asked.
    this.validateResponses = options.validateResponses ?? (this.version === API_VERSION ? 'lenient' : 'off');
    this.#ky = ky.create({
      headers: this.#headers(),
      timeout: this.timeout,
      retry: retryPolicy(this.maxRetries),
      fetch: (request, init) => this.#fetchAttempt(request as Request, init),
      hooks: {
        beforeRequest: [(request, { context }, { retryCount }) => this.#beforeAttempt(request, callOf(context), retryCount)],
        beforeRetry: [({ error, retryCount, options: { context } }) => this.#logConnectionFailure(callOf(context), error, retryCount - 1)],
      },
    });
    this.tenants = new Tenants(this);
    this.resellers = new Resellers(this);
    this.branding = new ProviderBranding(this);
    this.apiKeys = new ApiKeys(this);
    this.roles = new Roles(this);
    this.permissions = new Permissions(this);
    this.numbers = new Numbers(this);
    this.auditEvents = new AuditEvents(this);
    this.portOrders = new PortOrders(this);
    this.analytics = new Analytics(this);
    this.webhookEndpoints = new WebhookEndpoints(this);
  }

  /** A new client with some options replaced; this one is left untouched. */
  withOptions(overrides: Partial<ClientOptions>): Highrise {
    return new Highrise({ ...this.#options, apiKey: this.#apiKey, baseUrl: this.baseUrl, ...overrides });
  }

  /** The API of one tenant: `hr.tenant(id).extensions.create(…)`. Nothing is fetched until a method is called. */
  tenant(tenantId: string): TenantClient {
    return new TenantClient(this, tenantId);
  }

  /**
   * Sends one SDK call: one `Idempotency-Key` for all attempts of a POST, retries with backoff,
   * failures mapped to typed errors, the 2xx body checked against `schema` as `validateResponses` says.
   */
  request<T>(req: APIRequest<T>, options: RequestOptions = {}): APIPromise<Open<T>> {
    return new APIPromise(this.#send(req, options), (raw) => this.#parse(req, raw) as Promise<Open<T>>);
  }

  /**
   * A call whose 2xx body is a stream (a tenant export): the same headers, retries (until the
   * response starts) and typed errors as `request`, but the Response is handed over unread.
   */
  async requestStream(req: Omit<APIRequest<unknown>, 'schema' | 'responseType'>, options: RequestOptions = {}): Promise<Response> {
    return (await this.#send(req, options)).response;
  }

  /** A `list()` call: awaitable for the first page, `for await`-able for every item. */
  getList<Item>(path: string, schema: Shape<Page<Item>>, params: CursorPageParams = {}, options?: RequestOptions): PagePromise<Item> {
    return new PagePromise((cursor) =>
      this.request({ method: 'GET', path, query: { ...params, cursor: cursor ?? params.cursor }, schema }, options) as Promise<Page<Item>>,
    );
  }

  /**
   * One SDK call through ky: the `Idempotency-Key` of a POST is made here, once, before ky sees
   * the request, so every retry ky makes carries the same key. ky's failures become typed errors.
   */
  async #send(req: Omit<APIRequest<unknown>, 'schema'>, options: RequestOptions): Promise<RawResponse> {
    const idempotencyKey = req.method === 'POST' ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    const headers = new Headers();
    if (idempotencyKey !== undefined) headers.set('Idempotency-Key', idempotencyKey);
    if (req.body !== undefined) headers.set('Content-Type', 'application/json');
    mergeHeaders(headers, options.headers);
    if (req.rawBody !== undefined) headers.set('Content-Type', req.rawBody.contentType);
    const context: CallContext = { path: req.path, started: 0 };
    const call: KyOptions = {
      method: req.method,
      headers,
      searchParams: queryOf(req.query),
      // ky copies `context` shallowly; the object inside is the one the hooks and this method share.
      context: { call: context },
      ...(options.timeout !== undefined && { timeout: checkTimeout(options.timeout) }),
      ...(options.maxRetries !== undefined && { retry: { limit: checkMaxRetries(options.maxRetries) } }),
      ...(options.signal && { signal: options.signal }),
      ...(req.body !== undefined && { json: req.body }),
      ...(req.rawBody !== undefined && { body: req.rawBody.data as BodyInit }),
    };
    let response: Response;
    try {
      response = await this.#ky(this.baseUrl + req.path, call);
    } catch (cause) {
      throw await this.#failure(req, context, cause, options.signal);
    }
    return { response, requestId: requestIdOf(response.headers), idempotentReplayed: response.headers.get('idempotent-replayed') === 'true' };
  }

  /** What ky threw, as the SDK's error: the platform's answer, a timeout, an abort or no connection. */
  async #failure(req: Omit<APIRequest<unknown>, 'schema'>, context: CallContext, cause: unknown, signal: AbortSignal | undefined): Promise<Error> {
    if (isHTTPError(cause)) return APIError.generate(cause.response.status, await readBody(cause.response), cause.response.headers);
    if (signal?.aborted) return new APIUserAbortError({ cause });
    const error = isTimeoutError(cause)
      ? new APIConnectionTimeoutError({ cause })
      : new APIConnectionError({ message: `Could not reach ${this.baseUrl}: ${messageOf(cause)}`, cause });
    this.#logConnectionFailure(context, error, context.attempt ?? 0);
    return error;
  }

  /** Headers every request of this client carries; a call's own headers are merged over them by ky. */
  #headers(): Headers {
    const headers = new Headers({
      Accept: 'application/json',
      Authorization: `Bearer ${this.#apiKey}`,
      'Highrise-Version': this.version,
    });
    const node = nodeVersion();
    // Browsers forbid setting User-Agent; elsewhere it tells the operator's logs which SDK called.
    if (node !== undefined) headers.set('User-Agent', `highrise-sdk-js/${SDK_VERSION} node/${node}`);
    mergeHeaders(headers, this.#options.headers);
    return headers;
  }

  /** ky's `beforeRequest`, once per attempt: `onRequest` may still change the headers. */
  async #beforeAttempt(request: Request, context: CallContext, attempt: number): Promise<void> {
    context.started = Date.now();
    context.attempt = attempt;
    attempts.set(request, context);
    await this.#options.onRequest?.({ method: request.method as HttpMethod, url: request.url, headers: request.headers, attempt });
  }

  /**
   * ky's `fetch`: one attempt, reported to the logger and `onResponse` once it has an HTTP answer
   * (2xx or not, before ky retries). Not ky's `afterResponse` hook: ky hands that hook a clone of
   * the response and cancels it, and on Node 20 a response whose clone was cancelled makes an
   * unhandled rejection (a crash, by Node's default) when the call's signal aborts later, e.g.
   * while ky waits to retry or once the caller is done (client.test.ts, "aborting after…").
   */
  async #fetchAttempt(request: Request, init: RequestInit | undefined): Promise<Response> {
    const response = await (this.#options.fetch ?? globalThis.fetch)(request, init);
    const context = attempts.get(request);
    if (context === undefined) return response;
    const attempt = context.attempt ?? 0;
    const requestId = requestIdOf(response.headers);
    const durationMs = Date.now() - context.started;
    this.#options.logger?.debug?.(`highrise: ${request.method} ${context.path} ${response.status}`, { attempt, durationMs, requestId });
    await this.#options.onResponse?.({ method: request.method as HttpMethod, url: request.url, headers: request.headers, attempt, response, durationMs, requestId });
    return response;
  }

  #logConnectionFailure(context: CallContext, error: Error, attempt: number): void {
    if (isHTTPError(error)) return;
    this.#options.logger?.debug?.(`highrise: ${context.path} failed to connect`, { attempt, error: error.message });
  }

  async #parse(req: APIRequest<unknown>, { response, requestId }: RawResponse): Promise<unknown> {
    const body =
      req.responseType === 'bytes'
        ? { data: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? 'application/octet-stream' }
        : await readBody(response);
    const mode = this.validateResponses;
    if (mode === 'off') return body;
    let issues: ValidationIssue[];
    let parsed: unknown = body;
    if (mode === 'lenient') {
      // Field types only, from the generated shape: zod stays out of the bundle on this path.
      issues = shapeIssues(req.schema.d, body);
    } else {
      // strict and warn check everything zod knows; the schemas load on first use (their own chunk).
      const schema = (await loadSchemas())[req.schema.name];
      if (schema === undefined) throw new HighriseError(`no schema named ${req.schema.name}`);
      const result = schema.safeParse(body);
      issues = result.success ? [] : result.error.issues.map(({ path, message, code }) => ({ path, message, code }));
      if (result.success && mode === 'strict') parsed = result.data;
    }
    if (issues.length === 0) return parsed;
    const problems = issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    const message = `${req.method} ${req.path} returned ${response.status} with a body this SDK does not understand: ${problems}`;
    if (mode === 'warn') {
      (this.#options.logger ?? console).warn?.(`highrise: ${message}`, { requestId });
      return body;
    }
    throw new ResponseValidationError({ message, status: response.status, requestId, issues, body });
  }
}

type SafeParse = (value: unknown) => { success: true; data: unknown } | { success: false; error: { issues: ValidationIssue[] } };
type SchemaModule = Record<string, { safeParse: SafeParse } | undefined>;
let schemasModule: Promise<SchemaModule> | undefined;
/** The zod schemas, loaded only by a client that validates strictly (or warns). */
function loadSchemas(): Promise<SchemaModule> {
  schemasModule ??= import('./schemas/index') as unknown as Promise<SchemaModule>;
  return schemasModule;
}

/** What one call hands ky's hooks through `context` (one object for all its attempts). */
interface CallContext {
  path: string;
  started: number;
  attempt?: number;
}

/** The call each attempt's `Request` belongs to, from ky's `beforeRequest` to its `fetch`. */
const attempts = new WeakMap<Request, CallContext>();

function callOf(context: Record<string, unknown>): CallContext {
  return context.call as CallContext;
}

/** The query without absent values; ky writes `null` as the string "null". */
function queryOf(query: QueryParams | undefined): Record<string, string> | undefined {
  const entries = Object.entries(query ?? {}).filter(([, value]) => value !== undefined && value !== null);
  return entries.length === 0 ? undefined : Object.fromEntries(entries.map(([name, value]) => [name, String(value)]));
}

interface ProcessLike {
  env?: Record<string, string | undefined>;
  versions?: { node?: string };
}
const processLike = (): ProcessLike | undefined => (globalThis as { process?: ProcessLike }).process;

/** An environment variable in Node (and Deno/Bun's Node compatibility); undefined elsewhere. */
function readEnv(name: string): string | undefined {
  const value = processLike()?.env?.[name]?.trim();
  return value === '' ? undefined : value;
}

function nodeVersion(): string | undefined {
  return processLike()?.versions?.node;
}

/** A page with a DOM (not a worker, not Node, not Deno). */
function isBrowser(): boolean {
  const g = globalThis as { window?: { document?: unknown }; document?: unknown };
  return typeof g.window === 'object' && g.window !== null && typeof g.document === 'object' && nodeVersion() === undefined;
}

function requestIdOf(headers: Headers): string | null {
  return headers.get('request-id') ?? headers.get('x-request-id');
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
