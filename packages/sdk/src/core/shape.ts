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
  walk(d, value, [...path], out);
  return out;
}

const fail = (out: ShapeIssue[], path: readonly PropertyKey[], expected: string, value: unknown) =>
  out.push({ path: [...path], code: 'invalid_type', message: `expected ${expected}, got ${value === undefined ? 'nothing' : kindOf(value)}` });

/**
 * The walk behind shapeIssues. One path array is extended and restored on the way down and up, and
 * an issue takes a copy: a list of a thousand items is checked without an array per field (a batch
 * answer is the client's largest).
 */
function walk(d: Descriptor, value: unknown, path: PropertyKey[], out: ShapeIssue[]): void {
  if (typeof d === 'string') {
    const ok = d === 'x' ? true : d === 'z' ? value === null : d === 's' ? typeof value === 'string' : d === 'n' ? typeof value === 'number' : typeof value === 'boolean';
    if (!ok) fail(out, path, typeNames[d], value);
  } else if (Array.isArray(d)) {
    const tagged = d as readonly [string, ...Descriptor[]];
    const tag = tagged[0];
    const inner = tagged[1]!;
    if (tag === '?') {
      if (value !== null) walk(inner, value, path, out);
    } else if (tag === '~') {
      if (value !== undefined) walk(inner, value, path, out);
    } else if (tag === 'a') {
      if (!Array.isArray(value)) fail(out, path, 'array', value);
      else {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) continue;
          path.push(i);
          walk(inner, value[i], path, out);
          path.pop();
        }
      }
    } else if (tag === 'r') {
      if (!isRecord(value)) fail(out, path, 'object', value);
      else {
        for (const key of Object.keys(value)) {
          path.push(key);
          walk(inner, value[key], path, out);
          path.pop();
        }
      }
    } else {
      let matched = false;
      for (let i = 1; i < tagged.length && !matched; i++) {
        const issues: ShapeIssue[] = [];
        walk(tagged[i] as Descriptor, value, path, issues);
        matched = issues.length === 0;
      }
      if (!matched) fail(out, path, 'one of its variants', value);
    }
  } else if (!isRecord(value)) {
    fail(out, path, 'object', value);
  } else {
    const fields = d as Record<string, Descriptor>;
    for (const key of Object.keys(fields)) {
      path.push(key);
      walk(fields[key]!, value[key], path, out);
      path.pop();
    }
  }
}
