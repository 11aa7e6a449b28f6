import { sql } from 'kysely';
import pg from 'pg';
import { KAMAILIO_OUTBOX_CHANNEL } from '../migrations/0018_kamailio_call_outbox';
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
      const failed: { body: string; error: unknown }[] = [];
      if (ctx.conn.dialect !== 'postgres') return { taken: 0, failed };
      return ctx.transaction(async () => {
        const { rows } = await sql<{ body: string }>`
          DELETE FROM kamailio_call_outbox WHERE id IN (
            SELECT id FROM kamailio_call_outbox ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED
          ) RETURNING id, body`.execute(ctx.db());
        for (const { body } of rows) {
          try {
            await ctx.savepoint(() => handle(body));
          } catch (error) {
            failed.push({ body, error });
          }
        }
        return { taken: rows.length, failed };
      });
    },
    async listen(wake) {
      const { conn } = ctx;
      if (conn.dialect !== 'postgres') return async () => {};
      let closed = false;
      let client: pg.Client | undefined;
      const open = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: conn.url });
        let lost = false;
        const onLost = () => {
          if (lost || closed) return;
          lost = true;
          if (client === c) client = undefined;
          c.end().catch(() => {});
          const retry = () => {
            if (!closed) open().then(wake, () => setTimeout(retry, 1000).unref());
          };
          setTimeout(retry, 1000).unref();
        };
        c.on('notification', (message) => {
          if (message.channel === KAMAILIO_OUTBOX_CHANNEL) wake();
        });
        c.on('error', onLost);
        c.on('end', onLost);
        await c.connect();
        await c.query(`LISTEN ${KAMAILIO_OUTBOX_CHANNEL}`);
        client = c;
      };
      await open();
      return async () => {
        closed = true;
        await client?.end().catch(() => {});
      };
    },
  };
}
