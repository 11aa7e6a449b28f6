import type { ErrorCode } from '@highrise/sdk/schemas';
import { ERROR_CODES, retryAfterOf } from './error-codes';
import { errorCodesOf } from './pipeline';
import type { RouteDef } from './route';

export interface ErrorResponseOptions {
  /** `#/components/schemas/Error` */
  errorSchemaRef: string;
  /** Headers every error response carries (Request-Id, Highrise-Version). */
  headers: Record<string, unknown>;
  /** The `Retry-After` header component, for responses whose codes send one. */
  retryAfterHeader: unknown;
  /**
   * Statuses answered with one code only, whatever the route (429 `rate_limited`, 500
   * `internal_error`): these refer to a shared response component (with its own headers, such as
   * `Retry-After`) instead of repeating it on every operation.
   */
  shared: Readonly<Record<string, { ref: string; codes: readonly ErrorCode[] }>>;
}

/**
 * A route's error responses for its OpenAPI operation: one per status it can answer with, naming
 * each code (in the description, and as an `enum` on `error.code`, so generated clients can switch
 * on them). The codes come from the route's pipeline and its declared domain errors (pipeline.ts).
 */
export function errorResponsesOf(route: RouteDef, options: ErrorResponseOptions): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => {
        const shared = options.shared[String(status)];
        if (shared && codes.every((code) => shared.codes.includes(code))) return [String(status), { $ref: shared.ref }];
        return [
          String(status),
          {
            description: codes.map((code) => `\`${code}\`: ${ERROR_CODES[code].description}`).join('; '),
            headers: codes.some((code) => retryAfterOf(code) !== undefined) ? { ...options.headers, 'Retry-After': options.retryAfterHeader } : options.headers,
            content: {
              'application/json': {
                schema: { allOf: [{ $ref: options.errorSchemaRef }, { properties: { error: { properties: { code: { enum: codes } } } } }] },
              },
            },
          },
        ];
      }),
  );
}
