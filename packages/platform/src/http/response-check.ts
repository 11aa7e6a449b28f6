import type { ResponseSpec } from './route';

/**
 * A route's answer as it goes out: parsed by its response schema, so a mismatch with the SDK's
 * shape is our bug and fails loudly (a 500).
 *
 * A list declared `validate: 'envelope-and-first-item'` (the batch create: a thousand items made
 * by one function from one shape, typed by the handler's return type) has its envelope and first
 * item parsed, not every item: parsing a thousand of them cost more than inserting them. The check
 * holds only if the parse left those untouched (no key stripped, no default or transform applied);
 * otherwise the whole answer is parsed as any other route's is.
 */
export function checkedResponse(spec: ResponseSpec, value: unknown): unknown {
  if (spec.validate !== 'envelope-and-first-item' || !isRecord(value) || !Array.isArray(value.data) || value.data.length < 2) return spec.schema.parse(value);
  const data = value.data as unknown[];
  const head = spec.schema.parse({ ...value, data: data.slice(0, 1) });
  if (isRecord(head) && Array.isArray(head.data) && sameFlat({ ...head, data }, value) && sameFlat(head.data[0], data[0])) return value;
  return spec.schema.parse(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The same keys with identical values (`===`: a nested object the parse re-made counts as changed). */
function sameFlat(a: unknown, b: unknown): boolean {
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
