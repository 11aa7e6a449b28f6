import { SipCallEnded } from '@highrise/sdk/schemas';
import { recordCall } from './calls';
import type { DomainContext } from './context';
import { edgeCallRecord } from './sip-route-decision';

/** How often each node looks in the outbox without being woken (a missed NOTIFY, a node that was down). */
export const KAMAILIO_OUTBOX_INTERVAL_MS = 5_000;
const BATCH = 200;
/**
 * How long a NOTIFY waits for others before its drain: at a few hundred calls a second the records
 * of a few dozen share a transaction, and the node's event loop (which answers the edge's routing
 * requests) runs a drain every WAKE_DELAY_MS at most instead of one per call.
 */
const WAKE_DELAY_MS = 25;

/**
 * Turns what the Kamailio edge wrote into its outbox (every call record it makes: the table is how
 * records leave the signalling path, docs/decisions/2026-12-02-kamailio-policy-cost.md) into call
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

/**
 * Drains now, whenever the edge NOTIFYs a new row (so a call's record is stored within moments of
 * its BYE, WAKE_DELAY_MS later), and every `intervalMs` in case a notification was missed, until stopped; on SQLite the
 * outbox is always empty. A wake during a drain runs one more drain after it: the running one may
 * have claimed its rows before the new row was committed.
 */
export function startKamailioOutboxDrain(ctx: DomainContext, log: (line: string) => void, intervalMs = KAMAILIO_OUTBOX_INTERVAL_MS): () => void {
  let running = false;
  let again = false;
  let stopped = false;
  const tick = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await drainKamailioOutbox(ctx, log);
      } while (again && !stopped);
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
  // Wakes within WAKE_DELAY_MS of each other share one drain (one transaction), not one each.
  let wakeTimer: NodeJS.Timeout | undefined;
  const wake = () => {
    wakeTimer ??= setTimeout(() => {
      wakeTimer = undefined;
      void tick();
    }, WAKE_DELAY_MS);
  };
  const unlisten = ctx.store.kamailioOutbox
    .listen(wake)
    .catch((error: unknown) => {
      log(`kamailio outbox: cannot LISTEN (${error instanceof Error ? error.message : String(error)}); draining every ${intervalMs} ms only`);
      return async () => {};
    });
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(wakeTimer);
    void unlisten.then((close) => close());
  };
}
