import { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * The UTF-8 bytes of a JSON answer, as `new TextEncoder().encode(JSON.stringify(value))` would make
 * them. A large answer (a batch's ~300 KB) is the costly case on this platform's VMs, and not for
 * the encoding: any string or buffer over V8's large-object size (128 KB) is fresh memory, and its
 * first touch page-faults once per 4 KB page, ~17 µs a fault here (a fresh 300 KB string plus its
 * bytes: ~150 faults, 2–3 ms a batch, more than stringifying and encoding it). So a large answer is
 * written where nothing fresh is touched:
 * - into a buffer kept from earlier answers (encodeInto), given back once Node has handed its last
 *   byte to the OS (the response's `finish`; one that never finishes is left to the GC);
 * - a list (`{ …, data: [...] }`) a slice of items at a time, each slice's JSON a string small
 *   enough for V8's ordinary heap, so the 300 KB text never exists as one string.
 * Small answers, and any answer not written by Node's http (an in-process `app.request`), are
 * encoded as they always were.
 */
const POOLED_FROM_CHARS = 64 * 1024;
const BUFFER_BYTES = 1024 * 1024;
/** Buffers kept between answers: a few concurrent batches' worth. */
const KEPT = 4;
/** Items per slice of a list: ~40 KB of JSON for a batch's extensions, far under 128 KB. */
const SLICE_ITEMS = 128;

const UTF8 = new TextEncoder();
const kept: Uint8Array[] = [];

export function answerBytes(c: Context, value: unknown): Uint8Array {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  // Only where the answer is written by Node's http (the @hono/node-server adapter) can its end be seen.
  const list = outgoing instanceof ServerResponse ? listOf(value) : undefined;
  const text = list ? undefined : JSON.stringify(value);
  if (!(outgoing instanceof ServerResponse) || (text !== undefined && (text.length < POOLED_FROM_CHARS || text.length > BUFFER_BYTES))) return UTF8.encode(text ?? JSON.stringify(value));
  const buffer = kept.pop() ?? new Uint8Array(BUFFER_BYTES);
  const written = list ? writeList(list, buffer) : writeText(text!, buffer, 0);
  if (written === undefined) {
    // Larger than the buffer once encoded: bytes of its own.
    kept.push(buffer);
    return UTF8.encode(text ?? JSON.stringify(value));
  }
  outgoing.once('finish', () => {
    if (kept.length < KEPT) kept.push(buffer);
  });
  return buffer.subarray(0, written);
}

export interface List {
  /** The envelope's other members, as JSON.stringify writes them (`{"object":"list"}`). */
  rest: Record<string, unknown>;
  data: readonly unknown[];
}

const isPlain = (value: unknown, proto: object): boolean =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === proto && typeof (value as { toJSON?: unknown }).toJSON !== 'function';

/**
 * A plain object whose last member is a long plain array `data` of plain objects: written a slice at
 * a time. Anything else (a toJSON anywhere on the way, `data` elsewhere or short) is written whole;
 * plain items also mean no `toJSON(key)` could see an index counted from its slice.
 */
export function listOf(value: unknown): List | undefined {
  if (!isPlain(value, Object.prototype)) return undefined;
  const keys = Object.keys(value as object);
  if (keys[keys.length - 1] !== 'data') return undefined;
  const { data, ...rest } = value as { data?: unknown };
  if (!isPlain(data, Array.prototype) || (data as unknown[]).length <= SLICE_ITEMS) return undefined;
  for (const item of data as unknown[]) if (!isPlain(item, Object.prototype)) return undefined;
  return { rest, data: data as unknown[] };
}

/** `text` at `offset`; the offset after it, or undefined when it does not fit. */
function writeText(text: string, buffer: Uint8Array, offset: number): number | undefined {
  const { read, written } = UTF8.encodeInto(text, buffer.subarray(offset));
  return read === text.length ? offset + written : undefined;
}

const COMMA = 0x2c;

/** The list's JSON exactly as JSON.stringify writes it: its other members, then `"data":[…]` a slice of items at a time. */
export function writeList({ rest, data }: List, buffer: Uint8Array): number | undefined {
  const others = JSON.stringify(rest);
  let offset = writeText(others === '{}' ? '{"data":' : `${others.slice(0, -1)},"data":`, buffer, 0);
  for (let start = 0; start < data.length && offset !== undefined; start += SLICE_ITEMS) {
    // `[a,b,…]`; after the first slice its `[` becomes the comma after the slice before, whose `]` it overwrote.
    const at = offset;
    offset = writeText(JSON.stringify(data.slice(start, start + SLICE_ITEMS)), buffer, at);
    if (offset === undefined) return undefined;
    if (start > 0) buffer[at] = COMMA;
    if (start + SLICE_ITEMS < data.length) offset -= 1;
  }
  return offset === undefined ? undefined : writeText('}', buffer, offset);
}

