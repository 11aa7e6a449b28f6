import type { z } from 'zod';
import type { ErrorCode, IceServer, Permission } from '@highrise/sdk/schemas';
import type { TurnOptions } from '../domain/turn-credentials';
import type { SoftphoneEdge } from '../domain/softphone-tokens';
import type { DomainContext } from '../domain/context';
import type { Actor, Principal } from '../domain/principal';
import type { TenantAccess } from '../domain/tenants';
import type { LiveTenantCounters } from '../domain/usage';
import type { PortingRuntime } from '../domain/porting/runtime';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route:
 * - `public`: no API key;
 * - `provider`: the provider's keys only;
 * - `platform`: provider and reseller keys (tenant keys get 403);
 * - `authenticated`: any key (the domain narrows what it sees);
 * - `tenant`: a route under `/v1/tenants/{tenantId}`; the tenant is resolved before the handler
 *   runs, and one the key may not see answers 404 exactly like a missing one.
 */
export type Scope = 'public' | 'provider' | 'platform' | 'authenticated' | 'tenant';

/** What the app hands every handler. */
export interface AppServices {
  domain: DomainContext;
  /** Signs softphone tokens. */
  secret: Uint8Array;
  /** Where softphone tokens send the widget: the embedded edge's URL (known once the server listens), or Kamailio's nodes and secret. */
  softphoneEdge(): Promise<SoftphoneEdge>;
  iceServers: IceServer[];
  /** Mints a TURN credential into every softphone token (coturn REST credentials); absent: none. */
  turn?: TurnOptions | undefined;
  /** The OpenAPI document, built from the same route table. */
  openapi(): unknown;
  /** The SIP edge's live per-tenant counters (channels, registrations, messages). */
  liveCounters(tenantId: string): LiveTenantCounters;
  /** Document storage and the carrier of number porting; absent where porting is not served (benchmarks). */
  porting?: PortingRuntime | undefined;
}

/** The names of an OpenAPI-style path's parameters: `'/v1/tenants/{tenantId}/calls/{callId}'` → `'tenantId' | 'callId'`. */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

/**
 * A handler's path parameters, typed from its route's path literal; a path built at run time (not a
 * literal) gets an open record whose entries may be missing.
 */
export type PathParams<P extends string> = string extends P ? Record<string, string> : { readonly [K in ParamNames<P>]: string };

export interface HandlerInput<Body, Query, P extends string = string> {
  services: AppServices;
  params: PathParams<P>;
  body: Body;
  query: Query;
  /** Undefined only on `public` routes. */
  principal: Principal | undefined;
  actor: Actor | undefined;
  /** Set on `tenant` routes. */
  tenant: TenantAccess | undefined;
  /**
   * The raw request, for the few routes whose body is not JSON (file uploads declare no `body`
   * schema and read `request.body` themselves, with their own size limit).
   */
  request: Request;
  /** The client's address as the app resolved it (proxy rules applied), for per-address limits on public routes. */
  sourceAddress: string | null;
  /** The API version the request is served in (http/version.ts); JSON responses are rendered in it by the app. */
  version: string;
}

/**
 * A raw file upload. `maxBytes` is enforced by the app; `mediaTypes` and `query` only describe the
 * request in the OpenAPI document (the handler checks them itself, after the tenant gate).
 */
export interface Upload {
  maxBytes: number;
  mediaTypes: readonly string[];
  query?: z.ZodType | undefined;
}

/** Response headers a route may add, described once in the OpenAPI document's components. */
export type DocumentedHeader = 'Content-Disposition' | 'ETag' | 'Cache-Control';

export interface ResponseSpec<R extends z.ZodType = z.ZodType> {
  status: number;
  schema: R;
  description: string;
  /**
   * For the OpenAPI document: every media type the body may have when it is not only JSON (a
   * download's real types, or CSV offered beside JSON). JSON types are described by `schema`,
   * `text/*` as text, anything else as bytes. Absent: `application/json`.
   */
  mediaTypes?: readonly string[] | undefined;
  headers?: readonly DocumentedHeader[] | undefined;
  /** The route answers a matching `If-None-Match` with 304 and no body. */
  conditional?: boolean | undefined;
  /**
   * How much of the answer the schema checks before it goes out (response-check.ts): all of it (the
   * default), or, for a list made by one function from one shape, its envelope and first item.
   */
  validate?: 'all' | 'envelope-and-first-item' | undefined;
}

export interface RouteDef {
  method: HttpMethod;
  /** OpenAPI-style path: `/v1/tenants/{tenantId}`. */
  path: string;
  scope: Scope;
  /**
   * What the caller's role must hold, checked once by the app after the tenant gate (a foreign
   * tenant stays 404; a same-tenant key without it gets 403 permission_denied). Every route but
   * the public ones names one.
   */
  permission?: Permission | undefined;
  operationId: string;
  summary: string;
  body?: z.ZodType;
  /**
   * A raw file upload instead of a JSON body: the app reads at most `maxBytes` (413 beyond), counts
   * the bytes in the idempotency fingerprint, and hands the handler a request re-made around them.
   */
  upload?: Upload | undefined;
  query?: z.ZodType;
  response: ResponseSpec;
  /** A write that a deleted tenant still accepts (its restore); every other non-GET tenant route refuses one. */
  allowDeletedTenant?: boolean | undefined;
  /**
   * The handler's writes are one store transaction, and it calls nothing outside the store that a
   * rollback would not undo: the idempotency claim and the stored answer then join that transaction
   * (one commit per request instead of three; middleware/idempotency.ts).
   */
  oneTransaction?: boolean | undefined;
  /**
   * The codes the handler's domain calls can answer with besides those its pipeline derives (scope,
   * tenant gate, permission, body, idempotency, validation: see pipeline.ts), for the OpenAPI document.
   */
  errors?: readonly ErrorCode[] | undefined;
  handle(input: HandlerInput<any, any, any>): unknown;
}

type Authenticated<I> = Omit<I, 'principal' | 'actor'> & { principal: Principal; actor: Actor };
type InTenant<I> = Omit<Authenticated<I>, 'tenant'> & { tenant: TenantAccess };

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

interface Spec<P extends string, B extends z.ZodType | undefined, Q extends z.ZodType | undefined, R extends z.ZodType> {
  method: HttpMethod;
  path: P;
  permission?: Permission;
  operationId: string;
  summary: string;
  body?: B;
  upload?: Upload;
  query?: Q;
  response: ResponseSpec<R>;
  errors?: readonly ErrorCode[];
  allowDeletedTenant?: boolean;
  oneTransaction?: boolean;
}

type Result<R extends z.ZodType> = z.input<R> | Promise<z.input<R>>;

export function publicRoute<P extends string, R extends z.ZodType, Q extends z.ZodType | undefined = undefined>(
  spec: Spec<P, undefined, Q, R> & { handle(i: HandlerInput<undefined, Out<Q>, P>): Result<R> | Response | Promise<Response> },
): RouteDef {
  return { ...spec, scope: 'public' } as RouteDef;
}

export function route<P extends string, B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, R extends z.ZodType = z.ZodType>(
  spec: Spec<P, B, Q, R> & { scope: 'provider' | 'platform' | 'authenticated'; handle(i: Authenticated<HandlerInput<Out<B>, Out<Q>, P>>): Result<R> },
): RouteDef {
  // A tenant's data is reached only through the tenant gate that tenantRoute() installs.
  if (spec.path.startsWith('/v1/tenants/{tenantId}')) throw new Error(`route ${spec.path} is tenant-scoped: declare it with tenantRoute()`);
  return spec as unknown as RouteDef;
}

export function tenantRoute<P extends string, B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, R extends z.ZodType = z.ZodType>(
  spec: Spec<P, B, Q, R> & { handle(i: InTenant<HandlerInput<Out<B>, Out<Q>, P>>): Result<R> | Response | Promise<Response> },
): RouteDef {
  if (!spec.path.startsWith('/v1/tenants/{tenantId}')) throw new Error(`tenant route ${spec.path} must live under /v1/tenants/{tenantId}`);
  return { ...spec, scope: 'tenant' } as unknown as RouteDef;
}
