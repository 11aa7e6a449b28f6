import type { z } from 'zod';
import { HttpError, type Detail } from './errors';

/** Where an input came from; query and header fields are prefixed so the field name is unambiguous. */
export type InputSource = 'body' | 'query' | 'header';

function detailsOf(error: z.ZodError, source: InputSource): Detail[] {
  const prefix = source === 'body' ? [] : [source];
  return error.issues.flatMap((issue): Detail[] => {
    const path = [...prefix, ...issue.path.map(String)];
    // A strict object reports unknown keys on the object; name each key instead.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), issue: 'unknown field' }));
    }
    return [{ field: path.join('.'), issue: issue.message }];
  });
}

/** The one validation hook: parses `value` or throws a 400 `validation_error` naming every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, source: InputSource): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = detailsOf(result.error, source);
  const fields = [...new Set(details.map((d) => d.field || '(body)'))].join(', ');
  throw new HttpError('validation_error', `invalid ${source}: ${fields}`, details);
}

/**
 * Parses a JSON request body; an empty body counts as `{}` so missing fields are named. Malformed
 * JSON is one more validation failure (issue 2: "Malformed JSON or a wrong field → 400
 * validation_error naming the field"), so clients handle a single code; the field is `body`.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'not valid JSON';
    throw new HttpError('validation_error', 'invalid body: malformed JSON', [{ field: 'body', issue: `malformed JSON: ${reason}` }]);
  }
}
