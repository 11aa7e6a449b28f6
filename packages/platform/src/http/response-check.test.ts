import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkedResponse } from './response-check';
import type { ResponseSpec } from './route';

const Item = z.object({ id: z.string().regex(/^ext_/), n: z.number() });
const List = z.object({ object: z.literal('list'), data: z.array(Item) });
const spec = (validate?: ResponseSpec['validate']): ResponseSpec => ({ status: 200, schema: List, description: 'a list', validate });
const items = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `ext_${i}`, n: i }));

describe('checkedResponse', () => {
  it('parses the whole answer by default: a bad item anywhere fails', () => {
    const answer = { object: 'list', data: [...items(3), { id: 'bad', n: 3 }] };
    expect(() => checkedResponse(spec(), answer)).toThrow();
  });

  it('with envelope-and-first-item, hands the answer on as it is when the envelope and first item pass unchanged', () => {
    const answer = { object: 'list', data: items(1000) };
    expect(checkedResponse(spec('envelope-and-first-item'), answer)).toBe(answer);
  });

  it('fails on a bad envelope or a bad first item', () => {
    expect(() => checkedResponse(spec('envelope-and-first-item'), { object: 'page', data: items(5) })).toThrow();
    expect(() => checkedResponse(spec('envelope-and-first-item'), { object: 'list', data: [{ id: 'bad', n: 0 }, ...items(5)] })).toThrow();
  });

  it('parses everything when the parse changes the first item (a key it strips): the rest may need it too', () => {
    const answer = { object: 'list', data: items(3).map((item) => ({ ...item, internal: 'x' })) };
    expect(checkedResponse(spec('envelope-and-first-item'), answer)).toEqual({ object: 'list', data: items(3) });
  });

  it('parses everything when the envelope carries a key the schema strips', () => {
    const answer = { object: 'list', data: items(3), debug: true };
    expect(checkedResponse(spec('envelope-and-first-item'), answer)).toEqual({ object: 'list', data: items(3) });
  });
});
