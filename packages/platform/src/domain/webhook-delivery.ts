import { createHmac } from 'node:crypto';
import type { WebhookJob } from '../store/types';
import type { DomainContext } from './context';
import type { WebhookFailure } from '@highrise/sdk/schemas';
import { openWebhookSecret, webhookRulesOf } from './webhooks';
import { postWebhook, WebhookAttemptFailed } from './webhook-transport';
import { newLeaseOwner } from './leases';

export interface WebhookDeliveryOptions {
  /** Delay before the first retry; each further retry doubles it. Default 60 000 (one minute). */
  retryBaseMs?: number | undefined;
  /** Longest wait between two attempts. Default 12 h. */
  maxRetryDelayMs?: number | undefined;
  /**
   * Attempts before a delivery is `failed`. Default 15: with the defaults above, retries span about
   * 2.7 days (1, 2, 4 … 512 min, then 12 h four times), close to Stripe's three days.
   */
  maxAttempts?: number | undefined;
  /** How often the queue is looked at. Default 1000 ms. */
  pollIntervalMs?: number | undefined;
  /** A receiver that has not answered by then counts as failed. Default 10 000 ms. */
  timeoutMs?: number | undefined;
  /** Deliveries in flight at once. Default 16. */
  concurrency?: number | undefined;
  /**
   * How long a claimed delivery stays this node's: past it, another node may send it again (this
   * one was killed or stalled). Longer than `timeoutMs`. Default `timeoutMs` + 30 000.
   */
  leaseMs?: number | undefined;
}

export interface WebhookDeliveryLoop {
  /** Stops polling, aborts attempts in flight (they stay due, so a later start retries them) and waits for them. */
  stop(): Promise<void>;
}

/** `t=<unix seconds>,v1=<hex>` with one v1 per secret (two during a rotation's grace period). */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${createHmac('sha256', s).update(`${timestamp}.${body}`).digest('hex')}`)].join(',');
}

/** The delay before attempt `n + 1` after `n` failed attempts. */
export const retryDelayMs = (failedAttempts: number, baseMs: number, maxMs: number) => Math.min(baseMs * 2 ** Math.max(0, failedAttempts - 1), maxMs);

/**
 * Sends due deliveries from the queue in the store. The queue's state is all in the database: a
 * delivery stays `pending` with its `next_attempt_at` until an attempt's outcome is recorded.
 *
 * Several nodes may share the queue (PostgreSQL): each poll claims its deliveries for this loop
 * (`lease_owner`, `leased_until`; `FOR UPDATE SKIP LOCKED` on PostgreSQL), so with every node
 * running a delivery is sent by one of them. The outcome is recorded only while the lease is still
 * this loop's. A node killed after claiming and before recording leaves the lease to run out
 * (`leaseMs`); then any node sends the delivery again. So delivery is at least once across
 * crashes: a receiver that saw the first attempt sees the same `Highrise-Event-Id` again and
 * dedupes on it (`Highrise-Delivery-Id` stays the same too). A stop (not a crash) aborts attempts
 * in flight and gives their leases back, so another node sends them at once.
 */
export function startWebhookDelivery(ctx: DomainContext, options: WebhookDeliveryOptions = {}, log: (line: string) => void = () => {}): WebhookDeliveryLoop {
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 12 * 3600_000;
  const maxAttempts = options.maxAttempts ?? 15;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const leaseMs = options.leaseMs ?? timeoutMs + 30_000;
  const owner = newLeaseOwner();

  const inFlight = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function attempt(job: WebhookJob): Promise<void> {
    const { delivery, event, endpoint } = job;
    const started = ctx.now();
    const body = JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, tenantId: event.tenantId, data: JSON.parse(event.data) as unknown });
    let statusCode: number | null = null;
    let error: WebhookFailure | null = null;
    let detail = '';
    try {
      const secrets = [await openWebhookSecret(ctx, endpoint.id, endpoint.secretSealed)];
      if (endpoint.previousSecretSealed && endpoint.previousExpiresAt && endpoint.previousExpiresAt > started.toISOString()) {
        secrets.push(await openWebhookSecret(ctx, endpoint.id, endpoint.previousSecretSealed));
      }
      // The fence: a busy node may reach this point long after its claim. Only while the
      // delivery is still this loop's is it sent, with the lease renewed for the whole POST; a
      // delivery another node took over meanwhile is left to that node.
      const renewedUntil = new Date(ctx.now().getTime() + leaseMs).toISOString();
      if (!(await ctx.store.webhooks.renewLease(delivery.id, owner, renewedUntil))) {
        log(`webhook ${delivery.id}: another node took it over while this one was busy; not sent from here`);
        return;
      }
      statusCode = await postWebhook({
        url: endpoint.url,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Highrise-Webhooks/1',
          'Highrise-Event-Id': event.id,
          'Highrise-Delivery-Id': delivery.id,
          'Highrise-Signature': signatureHeader(secrets, Math.floor(started.getTime() / 1000), body),
        },
        body,
        // Read at each attempt: an endpoint stored while private destinations were allowed is
        // refused once the operator stops allowing them.
        policy: webhookRulesOf(ctx).destinations,
        timeoutMs,
        signal: abort.signal,
      });
    } catch (cause) {
      if (stopped) return; // shutting down: leave the delivery due, the next start sends it
      const failed = cause instanceof WebhookAttemptFailed ? cause : new WebhookAttemptFailed('connection_failed', (cause as Error).message);
      error = failed.failure;
      statusCode = failed.statusCode;
      detail = failed.detail;
    }
    if (stopped) return;
    const finished = ctx.now();
    const attempts = delivery.attemptCount + 1;
    const ok = error === null;
    const status = ok ? 'delivered' : attempts >= maxAttempts ? 'failed' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(finished.getTime() + retryDelayMs(attempts, retryBaseMs, maxRetryDelayMs)).toISOString() : null;
    const recorded = await ctx.store.webhooks.recordAttempt(
      delivery.id,
      { attemptedAt: started.toISOString(), statusCode, error, durationMs: Math.max(0, finished.getTime() - started.getTime()) },
      { status, nextAttemptAt, updatedAt: finished.toISOString() },
      owner,
    );
    if (!recorded) {
      log(`webhook ${delivery.id}: the attempt outlived this node's lease (${leaseMs} ms) or its endpoint was deleted; its outcome is not recorded`);
      return;
    }
    // The operator's log keeps the raw cause that the tenant's delivery log does not show.
    if (!ok) log(`webhook ${delivery.id} to ${endpoint.url}: attempt ${attempts} failed (${error}: ${detail})${status === 'failed' ? '; giving up' : ''}`);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    try {
      const room = concurrency - inFlight.size;
      const now = ctx.now();
      const lease = { owner, until: new Date(now.getTime() + leaseMs).toISOString() };
      const jobs = room > 0 ? await ctx.store.webhooks.dueAcrossTenants(now.toISOString(), room, [...inFlight.keys()], lease) : [];
      for (const job of jobs) {
        const run = attempt(job)
          .catch((error: unknown) => log(`webhook ${job.delivery.id}: ${(error as Error).message}`))
          .finally(() => inFlight.delete(job.delivery.id));
        inFlight.set(job.delivery.id, run);
      }
    } catch (error) {
      log(`webhook delivery: ${(error as Error).message}`);
    }
    schedule();
  }

  function schedule(): void {
    if (stopped || timer) return;
    timer = setTimeout(tick, pollIntervalMs);
    // Pending webhooks never keep the process alive on their own.
    timer.unref();
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      abort.abort();
      await Promise.allSettled([...inFlight.values()]);
      // What was cut off is due again at once, on whichever node polls next.
      await ctx.store.webhooks.releaseLeases(owner).catch((error: unknown) => log(`webhook delivery: ${(error as Error).message}`));
    },
  };
}
