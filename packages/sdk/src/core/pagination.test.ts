import { describe, expect, it } from 'vitest';
import { Highrise, HighriseError, InternalServerError, type Reseller } from '../index';

/**
 * A platform stand-in behind the client's public `fetch` option: five resellers served with
 * `?limit=&cursor=` exactly as the contract pages them. It records every URL it was asked for.
 */
function pagedResellers({ failOnCursor }: { failOnCursor?: string } = {}) {
  const resellers: Reseller[] = Array.from({ length: 5 }, (_, i) => ({
    id: `res_0000000000${i}`,
    object: 'reseller',
    name: `Reseller ${i}`,
    status: 'active',
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
  }));
  const requested: URL[] = [];
  const fetch = async (input: Request | URL | string): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    requested.push(url);
    const cursor = url.searchParams.get('cursor');
    if (cursor !== null && cursor === failOnCursor) {
      return Response.json({ error: { code: 'internal_error', message: 'boom', requestId: 'req_1' } }, { status: 500 });
    }
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const start = cursor === null ? 0 : resellers.findIndex((r) => r.id === cursor) + 1;
    const data = resellers.slice(start, start + limit);
    const more = start + limit < resellers.length;
    return Response.json({ data, nextCursor: more ? data.at(-1)!.id : null });
  };
  const hr = new Highrise({ baseUrl: 'http://platform.test', apiKey: 'hr_test_x', fetch, maxRetries: 0 });
  return { hr, requested };
}

describe('list()', () => {
  it('awaits to the first page, which can fetch the next one', async () => {
    const { hr, requested } = pagedResellers();
    const first = await hr.resellers.list({ limit: 2 });
    expect(first.data.map((r) => r.name)).toEqual(['Reseller 0', 'Reseller 1']);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.data.map((r) => r.name)).toEqual(['Reseller 2', 'Reseller 3']);
    expect(requested.map((u) => u.search)).toEqual(['?limit=2', '?limit=2&cursor=res_00000000001']);
  });

  it('iterates every item across pages with for await', async () => {
    const { hr, requested } = pagedResellers();
    const names: string[] = [];
    for await (const reseller of hr.resellers.list({ limit: 2 })) names.push(reseller.name);
    expect(names).toEqual(['Reseller 0', 'Reseller 1', 'Reseller 2', 'Reseller 3', 'Reseller 4']);
    expect(requested).toHaveLength(3);
  });

  it('fetches only the pages a loop actually reaches', async () => {
    const { hr, requested } = pagedResellers();
    for await (const reseller of hr.resellers.list({ limit: 2 })) if (reseller.name === 'Reseller 2') break;
    expect(requested).toHaveLength(2);
  });

  it('sends nothing for a list that is never consumed', async () => {
    const { hr, requested } = pagedResellers();
    hr.resellers.list();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(requested).toHaveLength(0);
  });

  it('reports the last page and refuses to go past it', async () => {
    const { hr } = pagedResellers();
    const page = await hr.resellers.list({ limit: 10 });
    expect(page.data).toHaveLength(5);
    expect(page.nextCursor).toBeNull();
    expect(page.hasNextPage()).toBe(false);
    await expect(page.getNextPage()).rejects.toBeInstanceOf(HighriseError);
  });

  it('walks pages with iterPages', async () => {
    const { hr } = pagedResellers();
    const first = await hr.resellers.list({ limit: 2 });
    const sizes: number[] = [];
    for await (const page of first.iterPages()) sizes.push(page.data.length);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('surfaces a failure on a later page out of the loop', async () => {
    const { hr } = pagedResellers({ failOnCursor: 'res_00000000001' });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const reseller of hr.resellers.list({ limit: 2 })) seen.push(reseller.name);
    })();
    await expect(loop).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toEqual(['Reseller 0', 'Reseller 1']);
  });
});

describe('toArray()', () => {
  it('collects every item across pages', async () => {
    const { hr, requested } = pagedResellers();
    expect((await hr.resellers.list({ limit: 2 }).toArray()).map((r) => r.name)).toHaveLength(5);
    expect(requested).toHaveLength(3);
  });

  it('stops at `limit` items and fetches no page past the one that reached it', async () => {
    const { hr, requested } = pagedResellers();
    const three = await hr.resellers.list({ limit: 2 }).toArray({ limit: 3 });
    expect(three.map((r) => r.name)).toEqual(['Reseller 0', 'Reseller 1', 'Reseller 2']);
    expect(requested).toHaveLength(2);
    const page = await hr.resellers.list({ limit: 2 });
    expect((await page.toArray({ limit: 1 })).map((r) => r.name)).toEqual(['Reseller 0']);
  });

  it('refuses a limit that is not a whole number >= 0', async () => {
    const { hr } = pagedResellers();
    await expect(hr.resellers.list().toArray({ limit: -1 })).rejects.toBeInstanceOf(HighriseError);
  });
});
