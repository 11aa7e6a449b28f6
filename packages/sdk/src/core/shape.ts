/**
 * A response shape the client checks without zod: the types of a schema's fields and nothing
 * else, generated from the zod schemas (core/to-shape.ts, kept in step by a unit test). It is what
 * lenient validation asks of a body (every known field present with the right JSON type; enum
 * values, formats, bounds and unknown fields free), and it keeps zod out of a browser bundle.
 *
 * `s` string, `n` number, `b` boolean, `z` null, `x` anything; `['?', d]` d or null; `['~', d]`
 * d or absent; `['a', d]` array of d; `['r', d]` record of d; `['|', …]` any of; a plain object
 * describes an object's known keys.
 */
export type Descriptor =
  | 's'
  | 'n'
  | 'b'
  | 'z'
  | 'x'
  | readonly ['?' | '~' | 'a' | 'r', Descriptor]
  | readonly ['|', ...Descriptor[]]
  | { readonly [key: string]: Descriptor };

/** A response schema by name (for strict checks through zod) and shape (for lenient ones). `T` is its output type. */
export interface Shape<T> {
  readonly name: string;
  readonly d: Descriptor;
  /** Type only: what a body of this shape is. */
  readonly __output?: T;
}

export interface ShapeIssue {
  path: PropertyKey[];
  message: string;
  code: 'invalid_type';
}

const typeNames = { s: 'string', n: 'number', b: 'boolean', z: 'null', x: 'anything' } as const;

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of `value` that are missing or of the wrong JSON type, by path. */
export function shapeIssues(d: Descriptor, value: unknown, path: PropertyKey[] = [], out: ShapeIssue[] = []): ShapeIssue[] {
  const fail = (expected: string) =>
    out.push({ path, code: 'invalid_type', message: `expected ${expected}, got ${value === undefined ? 'nothing' : kindOf(value)}` });
  if (typeof d === 'string') {
    const ok = d === 'x' ? true : d === 'z' ? value === null : d === 's' ? typeof value === 'string' : d === 'n' ? typeof value === 'number' : typeof value === 'boolean';
    if (!ok) fail(typeNames[d]);
  } else if (Array.isArray(d)) {
    const [tag, ...rest] = d as readonly [string, ...Descriptor[]];
    const inner = rest[0]!;
    if (tag === '?') {
      if (value !== null) shapeIssues(inner, value, path, out);
    } else if (tag === '~') {
      if (value !== undefined) shapeIssues(inner, value, path, out);
    } else if (tag === 'a') {
      if (!Array.isArray(value)) fail('array');
      else value.forEach((item, i) => shapeIssues(inner, item, [...path, i], out));
    } else if (tag === 'r') {
      if (!isRecord(value)) fail('object');
      else for (const [key, item] of Object.entries(value)) shapeIssues(inner, item, [...path, key], out);
    } else if (!rest.some((branch) => shapeIssues(branch, value, path).length === 0)) {
      fail('one of its variants');
    }
  } else if (!isRecord(value)) {
    fail('object');
  } else {
    for (const [key, field] of Object.entries(d as Record<string, Descriptor>)) shapeIssues(field, value[key], [...path, key], out);
  }
  return out;
}
