import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SipTrafficCount } from '../sip/traffic';

/** Figures read at scrape time; every label is from a closed set (never a tenant id). */
export interface OperatorFigures {
  sip(): { connections: number; registrations: number; activeCalls: number };
  /** SIP messages in and out since the edge started, by direction, method and status. */
  sipTraffic(): SipTrafficCount[];
  portOrdersByStatus(): Promise<Record<string, number>>;
  webhookDeliveriesByStatus(): Promise<Record<string, number>>;
  webhookAttempts(): Promise<{ total: number; failed: number }>;
}

export interface OperatorMetrics {
  /** Counts one answered HTTP request under its route template (`/v1/tenants/{tenantId}`), never its concrete path. */
  observe(route: string, method: string, status: number): void;
  /** The Prometheus text for a scrape presenting `authorization`; undefined when the token is wrong. */
  scrape(authorization: string | undefined): Promise<{ body: string; contentType: string } | undefined>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Operator metrics (issue 12) in one prom-client registry per platform (two platforms in one
 * process, as the tests run them, never share counters). The token is separate from API keys: a
 * scraper holds no key that could read tenant data, and a leaked API key does not read metrics.
 */
export function createOperatorMetrics(token: string, figures: OperatorFigures): OperatorMetrics {
  const registry = new Registry();
  const http = new Counter({ name: 'highrise_http_requests_total', help: 'HTTP requests answered, by route template, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const gauge = (name: string, help: string, read: (g: Gauge) => Promise<void> | void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await read(this);
      },
    });
  gauge('highrise_sip_connections', 'Open SIP-over-WebSocket connections', (g) => g.set(figures.sip().connections));
  gauge('highrise_sip_registrations', 'Registered SIP contacts', (g) => g.set(figures.sip().registrations));
  gauge('highrise_sip_active_calls', 'Calls in progress through the SIP edge', (g) => g.set(figures.sip().activeCalls));
  // Counted by the edge itself; a scrape copies its totals (reset, then set) rather than
  // incrementing twice in two places.
  const sipCounter = (name: string, help: string, kind: SipTrafficCount['kind'], labelNames: string[]) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const row of figures.sipTraffic()) {
          if (row.kind !== kind) continue;
          const labels: Record<string, string> = { direction: row.direction, method: row.method };
          if (row.status !== undefined) labels.code = String(row.status);
          this.inc(labels, row.count);
        }
      },
    });
  sipCounter('highrise_sip_requests_total', 'SIP requests received and sent by the edge, by method', 'request', ['direction', 'method']);
  sipCounter('highrise_sip_responses_total', 'SIP responses received and sent by the edge, by status code and the method they answer', 'response', ['direction', 'method', 'code']);
  gauge(
    'highrise_port_orders',
    'Port orders by state',
    async (g) => {
      g.reset();
      for (const [status, n] of Object.entries(await figures.portOrdersByStatus())) g.set({ status }, n);
    },
    ['status'],
  );
  gauge(
    'highrise_webhook_deliveries',
    'Webhook deliveries by status (pending, delivered, failed)',
    async (g) => {
      g.reset();
      for (const [status, n] of Object.entries(await figures.webhookDeliveriesByStatus())) g.set({ status }, n);
    },
    ['status'],
  );
  gauge(
    'highrise_webhook_attempts',
    'Webhook delivery attempts, all and failed (no 2xx)',
    async (g) => {
      const { total, failed } = await figures.webhookAttempts();
      g.set({ outcome: 'all' }, total);
      g.set({ outcome: 'failed' }, failed);
    },
    ['outcome'],
  );
  const expected = digest(`Bearer ${token}`);
  return {
    observe(route, method, status) {
      http.inc({ route, method, status: String(status) });
    },
    async scrape(authorization) {
      // Equal-length digests: the comparison takes the same time whatever was sent.
      if (!authorization || !timingSafeEqual(digest(authorization.trim()), expected)) return undefined;
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
