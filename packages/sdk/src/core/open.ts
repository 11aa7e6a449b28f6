/** True when `T` is a union of two or more members. */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** A string union left open: the known members autocomplete, any other string type-checks. */
type OpenStrings<T extends string> = string extends T ? T : true extends IsUnion<T> ? T | (string & {}) : T;

/**
 * A response type as a newer platform may send it: every union of string literals (an enum)
 * also admits strings this SDK does not know. Single literals (`object: 'tenant'`) stay exact,
 * so they still discriminate.
 */
export type Open<T> =
  | ([Extract<T, string>] extends [never] ? never : OpenStrings<Extract<T, string>>)
  | OpenRest<Exclude<T, string>>;

type OpenRest<T> = T extends readonly (infer E)[]
  ? Open<E>[]
  : T extends Uint8Array | Date
    ? T
    : T extends object
      ? { [K in keyof T]: Open<T[K]> }
      : T;
