// What a provider or reseller key sees: every tenant it may see (the platform decides which), with
// usage against limits, charts across tenants, port orders, audit events and webhook health.
import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import type { AnalyticsSummary, AnalyticsTenantRow, AuditEvent, Highrise, PortOrder, PortTimelineEntry, WebhookDelivery, WebhookEndpoint } from '@highrise/sdk';
import { bytes, count, dateTime, label, minutes, percent } from './format';
import { bucketTimes, callSeries, figures, load, NEAR_LIMIT, PALETTE, panel, usageMeter, usageRatio, type Loaded } from './panels';
import type { Range } from './range';
import { panelStyles } from './styles';
import type { ChartSeries } from './time-chart';
import './time-chart';

const TOP = 5;
/** The newest port orders across tenants read for the by-state counts: one request, whatever the tenant count. */
const PORT_ORDERS_READ = 100;
/** Orders shown with their timelines (one request each). */
const TIMELINES_SHOWN = 6;
/** The newest deliveries per webhook endpoint the health figures cover: one request each. */
const DELIVERIES_READ = 100;
const RECENT_AUDIT = 15;

interface PeakChannels {
  times: number[];
  series: ChartSeries[];
}

interface PortOrderWithTimeline extends PortOrder {
  tenantName: string;
  timeline: PortTimelineEntry[];
}

interface RecentPortOrders {
  /** The newest orders across tenants, newest first: what the by-state counts cover. */
  orders: PortOrder[];
  /** More orders exist than were read. */
  more: boolean;
  /** The most recently changed of them, with their tenant's name and timeline. */
  shown: PortOrderWithTimeline[];
}

interface EndpointHealth {
  endpoint: WebhookEndpoint;
  delivered: number;
  pending: number;
  failed: number;
  lastFailure: WebhookDelivery | undefined;
}

export class OperatorView extends LitElement {
  static override styles = panelStyles;

  static override properties: PropertyDeclarations = {
    hr: { attribute: false },
    level: {},
    range: { attribute: false },
    summary: { state: true },
    tenants: { state: true },
    peaks: { state: true },
    portOrders: { state: true },
    audit: { state: true },
    webhooks: { state: true },
  };

  declare hr: Highrise;
  declare level: 'provider' | 'reseller';
  declare range: Range;
  declare summary: Loaded<AnalyticsSummary>;
  declare tenants: Loaded<AnalyticsTenantRow[]>;
  declare peaks: Loaded<PeakChannels>;
  declare portOrders: Loaded<RecentPortOrders>;
  declare audit: Loaded<AuditEvent[]>;
  declare webhooks: Loaded<EndpointHealth[]>;

  /** Reloads every panel for the current range; each panel fails on its own. */
  async refresh(): Promise<void> {
    const { hr, range } = this;
    const window = { from: range.from, to: range.to };
    const tenantsLoad = load(() => hr.analytics.tenants({ ...window, sort: 'calls', limit: 100 }).toArray({ limit: 500 }));
    const [summary, tenants, audit, webhooks, newestOrders] = await Promise.all([
      load(() => hr.analytics.summary(range)),
      tenantsLoad,
      load(() => this.#recentAudit()),
      load(() => this.#webhookHealth()),
      // Every tenant the key may see, in one request (GET /v1/port-orders), newest first.
      load(() => hr.portOrders.list({ order: 'desc', limit: PORT_ORDERS_READ })),
    ]);
    const rows = tenants?.ok ? tenants.value : [];
    const names = new Map(rows.map((r) => [r.tenantId, r.name]));
    const [peaks, portOrders] = await Promise.all([
      load(() => this.#peaks(rows.slice(0, TOP))),
      newestOrders?.ok ? load(() => this.#withTimelines(newestOrders.value.data, newestOrders.value.hasNextPage(), names)) : Promise.resolve(newestOrders),
    ]);
    Object.assign(this, { summary, tenants, audit, webhooks, peaks, portOrders });
  }

  /** Peak channels exist per tenant only (the platform's peak is not the sum), so one line per top tenant. */
  async #peaks(top: AnalyticsTenantRow[]): Promise<PeakChannels> {
    const summaries = await Promise.all(top.map((t) => this.hr.tenant(t.tenantId).analytics.summary(this.range)));
    const times = summaries[0] ? bucketTimes(summaries[0]) : [];
    return {
      times,
      series: summaries.map((s, i) => ({ label: top[i]!.name, color: PALETTE[i % PALETTE.length]!, values: s.buckets.map((b) => b.peakChannels) })),
    };
  }

  /** The most recently changed of the newest orders, each with its timeline (read through its own tenant). */
  async #withTimelines(orders: PortOrder[], more: boolean, names: Map<string, string>): Promise<RecentPortOrders> {
    const changed = [...orders].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, TIMELINES_SHOWN);
    const shown = await Promise.all(
      changed.map(async (o) => ({ ...o, tenantName: names.get(o.tenantId) ?? o.tenantId, timeline: await this.hr.tenant(o.tenantId).portOrders.timeline(o.id).toArray({ limit: 50 }) })),
    );
    return { orders, more, shown };
  }

  /** The last week's newest events: one page, newest first. */
  async #recentAudit(): Promise<AuditEvent[]> {
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
    return (await this.hr.auditEvents.list({ from, order: 'desc', limit: RECENT_AUDIT })).data;
  }

  /** Each endpoint's newest deliveries (one page, newest first): how it is doing now, not at its start. */
  async #webhookHealth(): Promise<EndpointHealth[]> {
    const endpoints = await this.hr.webhookEndpoints.list({ limit: 100 }).toArray({ limit: 100 });
    return Promise.all(
      endpoints.map(async (endpoint) => {
        const deliveries = (await this.hr.webhookEndpoints.deliveries.list(endpoint.id, { order: 'desc', limit: DELIVERIES_READ })).data;
        const failed = deliveries.filter((d) => d.status === 'failed');
        return {
          endpoint,
          delivered: deliveries.filter((d) => d.status === 'delivered').length,
          pending: deliveries.filter((d) => d.status === 'pending').length,
          failed: failed.length,
          lastFailure: failed[0],
        };
      }),
    );
  }

  protected override render() {
    const tz = this.range.tz;
    return html`<div class="grid">
      <section class="wide" aria-labelledby="h-calls">
        <h2 id="h-calls">Calls over time, all ${this.level === 'provider' ? 'tenants' : 'your tenants'}</h2>
        ${panel(this.summary, (s) => [figures(s.totals), html`<hr-time-chart data-chart="calls" heading="Calls over time" time-zone=${tz} .times=${bucketTimes(s)} .series=${callSeries(s)}></hr-time-chart>`])}
      </section>
      <section aria-labelledby="h-peaks">
        <h2 id="h-peaks">Peak channels, top ${TOP} tenants</h2>
        ${panel(this.peaks, (p) => html`<hr-time-chart data-chart="peak-channels" heading="Peak channels" time-zone=${tz} .times=${p.times} .series=${p.series}></hr-time-chart>`)}
      </section>
      <section aria-labelledby="h-top">
        <h2 id="h-top">Top tenants by calls</h2>
        ${panel(this.tenants, (rows) => this.#topTenants(rows.slice(0, TOP)))}
      </section>
      <section class="wide" aria-labelledby="h-tenants">
        <h2 id="h-tenants">Tenants</h2>
        ${panel(this.tenants, (rows) => this.#tenantTable(rows))}
      </section>
      <section aria-labelledby="h-near">
        <h2 id="h-near">Near their limits</h2>
        ${panel(this.tenants, (rows) => this.#nearLimits(rows))}
      </section>
      <section aria-labelledby="h-ports">
        <h2 id="h-ports">Port orders</h2>
        ${panel(this.portOrders, (recent) => this.#portOrderPanel(recent, tz))}
      </section>
      <section aria-labelledby="h-webhooks">
        <h2 id="h-webhooks">Webhook deliveries</h2>
        ${panel(this.webhooks, (health) => this.#webhookPanel(health))}
      </section>
      <section aria-labelledby="h-audit">
        <h2 id="h-audit">Recent audit events</h2>
        ${panel(this.audit, (events) => auditList(events, tz))}
      </section>
    </div>`;
  }

  #topTenants(rows: AnalyticsTenantRow[]) {
    if (rows.length === 0) return html`<p class="muted">No tenants.</p>`;
    return html`<table data-table="top-tenants">
      <thead><tr><th scope="col">Tenant</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Minutes</th><th scope="col" class="num">ASR</th></tr></thead>
      <tbody>
        ${rows.map((r) => html`<tr><td>${r.name}</td><td class="num">${count(r.totals.calls)}</td><td class="num">${minutes(r.totals.minutes)}</td><td class="num">${percent(r.totals.answerSeizureRatio)}</td></tr>`)}
      </tbody>
    </table>`;
  }

  #tenantTable(rows: AnalyticsTenantRow[]) {
    if (rows.length === 0) return html`<p class="muted">No tenants.</p>`;
    return html`<table data-table="tenants">
      <thead><tr><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Failed</th><th scope="col">Usage against limits</th></tr></thead>
      <tbody>
        ${rows.map(
          (r) => html`<tr data-tenant-id=${r.tenantId}>
            <td>${r.name}</td>
            <td><span class="status ${r.status}">${r.status}</span></td>
            <td class="num">${count(r.totals.calls)}</td>
            <td class="num">${count(r.totals.failed)}</td>
            <td>
              <div class="usage">
                ${usageMeter('Channels', r.usage.channels)} ${usageMeter('Extensions', r.usage.extensions)} ${usageMeter('Numbers', r.usage.numbers)}
                ${usageMeter('Registrations', r.usage.registrations)} ${usageMeter('Storage', r.usage.storage, bytes)}
              </div>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  #nearLimits(rows: AnalyticsTenantRow[]) {
    const near = rows.flatMap((r) =>
      Object.entries(r.usage)
        .filter(([, u]) => (usageRatio(u) ?? 0) >= NEAR_LIMIT)
        .map(([what, u]) => ({ name: r.name, what, used: u.used, limit: u.limit!, ratio: usageRatio(u)! })),
    );
    if (near.length === 0) return html`<p class="muted" data-empty="near-limits">No tenant is at ${Math.round(NEAR_LIMIT * 100)} % of a limit.</p>`;
    near.sort((a, b) => b.ratio - a.ratio);
    return html`<ul class="plain" data-list="near-limits">
      ${near.map((n) => html`<li><strong>${n.name}</strong>: ${n.what} ${count(n.used)} of ${count(n.limit)} (${percent(n.ratio)})</li>`)}
    </ul>`;
  }

  #portOrderPanel({ orders, more, shown }: RecentPortOrders, tz: string) {
    if (orders.length === 0) return html`<p class="muted">No port orders.</p>`;
    const byState = new Map<string, number>();
    for (const o of orders) byState.set(o.status, (byState.get(o.status) ?? 0) + 1);
    return html`<table data-table="port-states">
        ${more ? html`<caption class="muted">The newest ${orders.length} orders</caption>` : nothing}
        <thead><tr><th scope="col">State</th><th scope="col" class="num">Orders</th></tr></thead>
        <tbody>${[...byState].map(([state, n]) => html`<tr><td><span class="status ${state}">${label(state)}</span></td><td class="num">${n}</td></tr>`)}</tbody>
      </table>
      ${shown.map(
        (o) => html`<h3>${o.tenantName}: ${o.numbers.join(', ')} <span class="status ${o.status}">${label(o.status)}</span></h3>
          <ol class="timeline">
            ${o.timeline.map((e) => html`<li>${dateTime(e.occurredAt, tz)} · ${label(e.to)}${e.message ? html` <span class="muted">(${e.message})</span>` : nothing}</li>`)}
          </ol>`,
      )}`;
  }

  #webhookPanel(health: EndpointHealth[]) {
    if (health.length === 0) return html`<p class="muted">No webhook endpoints at this level.</p>`;
    return html`<table data-table="webhooks">
      <caption class="muted">Counted over each endpoint’s newest ${DELIVERIES_READ} deliveries</caption>
      <thead><tr><th scope="col">Endpoint</th><th scope="col" class="num">Delivered</th><th scope="col" class="num">Pending</th><th scope="col" class="num">Failed</th></tr></thead>
      <tbody>
        ${health.map(
          (h) => html`<tr>
            <td>${h.endpoint.url} <span class="status">${h.endpoint.status}</span>${h.lastFailure ? html`<br /><span class="muted">last failure: ${h.lastFailure.id}</span>` : nothing}</td>
            <td class="num">${h.delivered}</td><td class="num">${h.pending}</td><td class="num">${h.failed}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }
}

/** A batch's one event (`extension.batch_created`) says how many it made: " (1,000 extensions)". */
function batchSize(e: AuditEvent): string {
  const count = e.changes?.['count']?.after;
  return e.action.endsWith('.batch_created') && typeof count === 'number' ? ` (${count.toLocaleString('en')} ${e.action.split('.')[0]}s)` : '';
}

export function auditList(events: AuditEvent[], tz: string) {
  if (events.length === 0) return html`<p class="muted">No audit events in the last week.</p>`;
  return html`<ul class="plain" data-list="audit">
    ${events.map((e) => html`<li><span class="muted">${dateTime(e.occurredAt, tz)}</span> ${e.action}${batchSize(e)} <span class="muted">${e.target.type} ${e.target.id}${e.actor.principal ? ` by ${e.actor.principal}${e.actor.role ? ` (${e.actor.role})` : ''}` : ''}</span></li>`)}
  </ul>`;
}

if (!customElements.get('hr-operator-view')) customElements.define('hr-operator-view', OperatorView);

declare global {
  interface HTMLElementTagNameMap {
    'hr-operator-view': OperatorView;
  }
}
