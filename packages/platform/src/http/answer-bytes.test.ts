import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { answerBytes, listOf, writeList } from './answer-bytes';

const expected = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
/** Byte equality as text (vitest's element-by-element diff of 300 KB arrays is slow). */
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
const items = (n: number, name = (i: number) => `Desk ${i}`) =>
  Array.from({ length: n }, (_, i) => ({ id: `ext_${i}`, object: 'extension', number: String(1000 + i), displayName: name(i), missing: undefined }));
const written = (value: unknown, bytes = 1 << 20) => {
  const list = listOf(value);
  if (!list) throw new Error('not a list');
  const buffer = new Uint8Array(bytes);
  const end = writeList(list, buffer);
  return end === undefined ? undefined : buffer.slice(0, end);
};

describe('a list answer written a slice at a time', () => {
  it('is byte for byte what JSON.stringify writes, whatever the slice boundaries and characters', () => {
    for (const n of [129, 256, 257, 1000]) expect(text(written({ object: 'list', data: items(n) }))).toBe(text(expected({ object: 'list', data: items(n) })));
    const unicode = { object: 'list', note: 'ünïcødé "quoted" \u2028', data: items(300, (i) => `Büro ${i} \u{1F4DE} "${i}"`) };
    expect(text(written(unicode))).toBe(text(expected(unicode)));
    // No other member (or none JSON keeps): `{"data":[…]}`.
    expect(text(written({ data: items(200) }))).toBe(text(expected({ data: items(200) })));
    expect(text(written({ skipped: undefined, data: items(200) }))).toBe(text(expected({ skipped: undefined, data: items(200) })));
  });

  it('says so when the answer does not fit the buffer', () => {
    expect(written({ object: 'list', data: items(1000) }, 10_000)).toBeUndefined();
    expect(written({ object: 'list', data: items(1000, (i) => '\u00e9'.repeat(i)) }, 1 << 18)).toBeUndefined();
  });

  it('is only used for a plain list whose data comes last and holds plain items', () => {
    expect(listOf({ data: items(200), nextCursor: null })).toBeUndefined();
    expect(listOf({ object: 'list', data: items(100) })).toBeUndefined();
    expect(listOf({ object: 'list', data: [...items(199), new Date(0)] })).toBeUndefined();
    expect(listOf({ object: 'list', data: items(200), toJSON: () => 'x' })).toBeUndefined();
    expect(listOf([1, 2, 3])).toBeUndefined();
  });
});

describe('answerBytes', () => {
  const served = () => {
    const outgoing = new ServerResponse(new IncomingMessage(new Socket()));
    return { outgoing, c: { env: { outgoing } } as unknown as Context };
  };

  it('writes a large answer into a kept buffer, reused only once the response before it finished', () => {
    const value = { object: 'list', data: items(1000) };
    const first = served();
    const a = answerBytes(first.c, value);
    expect(text(a)).toBe(text(expected(value)));
    const second = served();
    const b = answerBytes(second.c, value);
    // The first is still being sent: the second has a buffer of its own.
    expect(b.buffer).not.toBe(a.buffer);
    first.outgoing.emit('finish');
    const third = answerBytes(served().c, { object: 'list', data: items(500) });
    expect(third.buffer).toBe(a.buffer);
    expect(text(third)).toBe(text(expected({ object: 'list', data: items(500) })));
    expect(text(b)).toBe(text(expected(value)));
  });

  it('encodes small answers, and any answer not written by Node, as they are', () => {
    expect(text(answerBytes(served().c, { id: 'ext_1' }))).toBe(text(expected({ id: 'ext_1' })));
    expect(text(answerBytes({ env: undefined } as unknown as Context, { object: 'list', data: items(1000) }))).toBe(text(expected({ object: 'list', data: items(1000) })));
  });
});
