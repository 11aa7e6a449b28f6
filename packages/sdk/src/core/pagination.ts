import type { ListParams, Page } from '../schemas/common';
import { HighriseError } from '../errors/highrise-error';

/** Fetches one page; `cursor` is undefined for the first. */
export type PageFetcher<Item> = (cursor: string | undefined) => Promise<Page<Item>>;

/** One page of a list, able to fetch the pages after it. */
export class CursorPage<Item> implements AsyncIterable<Item> {
  readonly data: Item[];
  readonly nextCursor: string | null;
  /** The platform's `Request-Id` of the request that fetched this page. */
  readonly _requestId: string | null;
  readonly #fetchPage: PageFetcher<Item>;

  constructor(page: Page<Item>, fetchPage: PageFetcher<Item>) {
    this.data = page.data;
    this.nextCursor = page.nextCursor;
    this._requestId = (page as { _requestId?: string | null })._requestId ?? null;
    this.#fetchPage = fetchPage;
  }

  hasNextPage(): boolean {
    return this.nextCursor !== null;
  }

  async getNextPage(): Promise<CursorPage<Item>> {
    if (this.nextCursor === null) throw new HighriseError('There is no next page; check hasNextPage() first.');
    return new CursorPage(await this.#fetchPage(this.nextCursor), this.#fetchPage);
  }

  /** This page and every later one, fetched one at a time as the loop asks. */
  async *iterPages(): AsyncGenerator<CursorPage<Item>, void, undefined> {
    let page: CursorPage<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Every item from this page on, across pages. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data;
  }

  /** Every item from this page on in one array; see {@link PagePromise.toArray}. */
  toArray(options: ToArrayOptions = {}): Promise<Item[]> {
    return collect(this, options);
  }
}

export interface ToArrayOptions {
  /**
   * The most items to collect. Pages stop being fetched once it is reached, so a list that grew
   * to millions cannot fill memory by accident. Default: no limit.
   */
  limit?: number;
}

async function collect<Item>(items: AsyncIterable<Item>, { limit = Infinity }: ToArrayOptions): Promise<Item[]> {
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
    throw new HighriseError(`\`limit\` must be a whole number >= 0, got ${limit}.`);
  }
  const out: Item[] = [];
  if (limit === 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * What `list()` returns: `await` it for the first page, or `for await` it for every item across
 * pages, without a second await. The first request is sent on first use, so a list that is
 * never consumed costs nothing and cannot become an unhandled rejection.
 */
export class PagePromise<Item> implements PromiseLike<CursorPage<Item>>, AsyncIterable<Item> {
  readonly #fetchPage: PageFetcher<Item>;
  #firstPage: Promise<CursorPage<Item>> | undefined;

  constructor(fetchPage: PageFetcher<Item>) {
    this.#fetchPage = fetchPage;
  }

  get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }

  #page(): Promise<CursorPage<Item>> {
    this.#firstPage ??= this.#fetchPage(undefined).then((page) => new CursorPage(page, this.#fetchPage));
    return this.#firstPage;
  }

  then<A = CursorPage<Item>, B = never>(
    onfulfilled?: ((page: CursorPage<Item>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#page().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<CursorPage<Item> | B> {
    return this.#page().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<CursorPage<Item>> {
    return this.#page().finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    yield* await this.#page();
  }

  /**
   * Every item across pages in one array: `await hr.tenants.list().toArray({ limit: 500 })`.
   * With `limit`, no page past the one that reaches it is fetched.
   */
  toArray(options: ToArrayOptions = {}): Promise<Item[]> {
    return collect(this, options);
  }
}

/**
 * `?limit=&cursor=` as a caller writes them. Derived from the contract's `ListParams`, whose
 * `limit` input type is `unknown` because the platform coerces it from a query string.
 */
export type CursorPageParams = Omit<ListParams, 'limit'> & { limit?: number };
