import { SipCallEnded } from '@highrise/sdk/schemas';
import { recordCall } from './calls';
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
 * Turns what the Kamailio edge wrote into its outbox (every call record it makes) into call
 * records, as `/internal/sip/call-record` would have. A body is checked like a post (the schema,
 * a tenant still on the platform); one that fails is logged and dropped, since it can never pass.
 * Returns how many records were stored.
 */
export async function drainKamailioOutbox(ctx: DomainContext, log: (line: string) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const { taken, failed } = await ctx.store.kamailioOutbox.drain(BATCH, async (body) => {
      const parsed = SipCallEnded.safeParse(parseJson(body));
      if (!parsed.success) throw new Error('not a SipCallEnded');
      const tenant = await ctx.store.tenants.get(parsed.data.tenantId);
      if (!tenant || tenant.deletedAt) throw new Error(`tenant ${parsed.data.tenantId} is not on the platform`);
      await recordCall(ctx, edgeCallRecord(parsed.data));
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
export function startKamailioOutboxDrain(ctx: DomainContext, log: (line: string) => void, intervalMs = KAMAILIO_OUTBOX_INTERVAL_MS): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const n = await drainKamailioOutbox(ctx, log);
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
