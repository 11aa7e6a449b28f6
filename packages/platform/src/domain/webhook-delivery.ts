import { createHmac } from 'node:crypto';
import type { WebhookJob } from '../store/types';
import type { DomainContext } from './context';
import type { WebhookFailure } from '@highrise/sdk/schemas';
import { openWebhookSecret, webhookRulesOf } from './webhooks';
import { postWebhook, WebhookAttemptFailed } from './webhook-transport';

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
 * delivery stays `pending` with its `next_attempt_at` until an attempt's outcome is recorded, so
 * after a crash or a stop mid-attempt it is simply due again (receivers dedupe on the event id,
 * which `Highrise-Event-Id` carries). Within one process the set of ids in flight keeps a slow
 * attempt from being started twice. Several processes on one database would each send a due
 * delivery; they need a lease column (claimed_until) before the PostgreSQL store runs several.
 */
export function startWebhookDelivery(ctx: DomainContext, options: WebhookDeliveryOptions = {}, log: (line: string) => void = () => {}): WebhookDeliveryLoop {
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 12 * 3600_000;
  const maxAttempts = options.maxAttempts ?? 15;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const concurrency = options.concurrency ?? 16;

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
    await ctx.store.webhooks.recordAttempt(
      delivery.id,
      { attemptedAt: started.toISOString(), statusCode, error, durationMs: Math.max(0, finished.getTime() - started.getTime()) },
      { status, nextAttemptAt, updatedAt: finished.toISOString() },
    );
    // The operator's log keeps the raw cause that the tenant's delivery log does not show.
    if (!ok) log(`webhook ${delivery.id} to ${endpoint.url}: attempt ${attempts} failed (${error}: ${detail})${status === 'failed' ? '; giving up' : ''}`);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    try {
      const room = concurrency - inFlight.size;
      const jobs = room > 0 ? await ctx.store.webhooks.due(ctx.now().toISOString(), room, [...inFlight.keys()]) : [];
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
    },
  };
}
