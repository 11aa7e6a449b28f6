import { sql } from 'kysely';
import type { Store } from '../types';
import type { StoreContext } from './context';

/**
 * The Kamailio edge's outbox (migration 0018). Rows are claimed with `FOR UPDATE SKIP LOCKED` and
 * deleted in the transaction that stores their call records, so with several platform nodes each
 * row becomes a record exactly once, and a node that dies mid-drain leaves its rows for the next.
 * A row that can never become a record (its tenant gone) is dropped rather than retried forever.
 */
export function kamailioOutbox(ctx: StoreContext): Store['kamailioOutbox'] {
  return {
    async drain(limit, handle) {
      type Item = Parameters<typeof handle.all>[0][number];
      const failed: { body: string; error: unknown }[] = [];
      if (ctx.conn.dialect !== 'postgres') return { taken: 0, failed };
      return ctx.transaction(async () => {
        const { rows } = await sql<{ body: string }>`
          DELETE FROM kamailio_call_outbox WHERE id IN (
            SELECT id FROM kamailio_call_outbox ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED
          ) RETURNING id, body`.execute(ctx.db());
        const ready: { body: string; item: Item }[] = [];
        for (const { body } of rows) {
          try {
            ready.push({ body, item: await handle.each(body) });
          } catch (error) {
            failed.push({ body, error });
          }
        }
        if (ready.length === 0) return { taken: rows.length, failed };
        // One write for the batch (a record per statement cost the platform and the database more
        // than the call's own signalling); only a batch that fails is retried item by item.
        try {
          await ctx.savepoint(() => handle.all(ready.map((r) => r.item)));
        } catch {
          for (const { body, item } of ready) {
            try {
              await ctx.savepoint(() => handle.all([item]));
            } catch (error) {
              failed.push({ body, error });
            }
          }
        }
        return { taken: rows.length, failed };
      });
    },
  };
}
