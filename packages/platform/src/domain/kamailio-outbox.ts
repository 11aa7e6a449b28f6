import { SipCallEnded } from '@highrise/sdk/schemas';
import { storeCallRecords } from './calls';
import type { DomainContext } from './context';
import { edgeCallRecord } from './sip-route-decision';

/**
 * How often each node drains the outbox, where the Kamailio edge writes every call record: a
 * record is stored within this time of its call's end. Polled rather than NOTIFYed: a NOTIFY in the
 * edge's INSERT takes PostgreSQL's cluster-wide notify lock at commit, which cost the BYE 6 ms p50
 * instead of 2 under the bench (docs/decisions/2026-12-02-kamailio-policy-cost.md); an empty poll
 * is one small transaction that writes nothing.
 */
export const KAMAILIO_OUTBOX_INTERVAL_MS = 250;
const BATCH = 200;

/**
 * Whether this node's SIP directory holds the tenant, not deleted (SipDirectoryCache, kept current by
 * every node's commits): then its records are stored without asking the database. A tenant it does
 * not hold, or holds as deleted, is looked up, so a record is dropped only on the database's word.
 */
export type HeldTenant = (tenantId: string) => boolean;

/**
 * Turns what the Kamailio edge wrote into its outbox (every call record it makes) into call
 * records, as `/internal/sip/call-record` would have. A body is checked like a post (the schema,
 * a tenant still on the platform); one that fails is logged and dropped, since it can never pass.
 * A batch is stored in one write (records and rollups), and a tenant the directory does not hold is
 * read once per batch.
 * Returns how many records were stored.
 */
export async function drainKamailioOutbox(ctx: DomainContext, log: (line: string) => void, held: HeldTenant = () => false): Promise<number> {
  let total = 0;
  for (;;) {
    const onPlatform = new Map<string, Promise<boolean>>();
    const tenantOnPlatform = (id: string) => {
      if (held(id)) return true;
      let known = onPlatform.get(id);
      if (!known) onPlatform.set(id, (known = ctx.store.tenants.get(id).then((tenant) => tenant !== undefined && !tenant.deletedAt)));
      return known;
    };
    const { taken, failed } = await ctx.store.kamailioOutbox.drain(BATCH, {
      each: async (body) => {
        const parsed = SipCallEnded.safeParse(parseJson(body));
        if (!parsed.success) throw new Error('not a SipCallEnded');
        if (!(await tenantOnPlatform(parsed.data.tenantId))) throw new Error(`tenant ${parsed.data.tenantId} is not on the platform`);
        return edgeCallRecord(parsed.data);
      },
      all: (records) => storeCallRecords(ctx, records),
    });
    for (const { body, error } of failed) log(`kamailio outbox: dropped ${body.slice(0, 200)}: ${error instanceof Error ? error.message : String(error)}`);
    total += taken - failed.length;
    if (taken < BATCH) return total;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Drains now and every `intervalMs` until stopped; on SQLite the outbox is always empty. */
export function startKamailioOutboxDrain(ctx: DomainContext, log: (line: string) => void, intervalMs = KAMAILIO_OUTBOX_INTERVAL_MS, held?: HeldTenant): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const n = await drainKamailioOutbox(ctx, log, held);
      if (n > 0) log(`kamailio outbox: ${n} call record(s) the edge could not post are stored`);
    } catch (error) {
      // A busy or unreachable database only delays the drain to the next tick.
      log(`kamailio outbox: drain failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
