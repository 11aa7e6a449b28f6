import type { ErrorCode } from '@highrise/sdk/schemas';
import { ERROR_CODES } from './error-codes';
import { errorCodesOf } from './pipeline';
import type { RouteDef } from './route';

/**
 * A route's error responses for its OpenAPI operation: one per status it can answer with, naming
 * each code (in the description, and as an `enum` on `error.code`, so generated clients can switch
 * on them). The codes come from the route's pipeline and its declared domain errors (pipeline.ts).
 */
export function errorResponsesOf(route: RouteDef, errorSchemaRef: string): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: codes.map((code) => `\`${code}\`: ${ERROR_CODES[code].description}`).join('; '),
          content: {
            'application/json': {
              schema: { allOf: [{ $ref: errorSchemaRef }, { properties: { error: { properties: { code: { enum: codes } } } } }] },
            },
          },
        },
      ]),
  );
}
