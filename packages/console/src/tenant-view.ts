// What a tenant admin key sees: its own tenant only — extensions, numbers, calls and charts,
// port orders and its audit log. Every request goes through hr.tenant(id), the tenant's scope.
import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import type { AnalyticsSummary, AuditEvent, Call, Extension, Highrise, PhoneNumber, PortOrder, Tenant } from '@highrise/sdk';
import { bytes, count, dateTime, label } from './format';
import { auditList } from './operator-view';
import { bucketTimes, callSeries, figures, load, panel, type Loaded } from './panels';
import type { Range } from './range';
import { panelStyles } from './styles';
import './time-chart';

const RECENT_CALLS = 20;
const RECENT_AUDIT = 15;

export class TenantView extends LitElement {
  static override styles = panelStyles;

  static override properties: PropertyDeclarations = {
    hr: { attribute: false },
    tenant: { attribute: false },
    range: { attribute: false },
    summary: { state: true },
    extensions: { state: true },
    numbers: { state: true },
    calls: { state: true },
    portOrders: { state: true },
    audit: { state: true },
  };

  declare hr: Highrise;
  declare tenant: Tenant;
  declare range: Range;
  declare summary: Loaded<AnalyticsSummary>;
  declare extensions: Loaded<Extension[]>;
  declare numbers: Loaded<PhoneNumber[]>;
  declare calls: Loaded<Call[]>;
  declare portOrders: Loaded<PortOrder[]>;
  declare audit: Loaded<AuditEvent[]>;

  async refresh(): Promise<void> {
    const scope = this.hr.tenant(this.tenant.id);
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const [summary, extensions, numbers, calls, portOrders, audit] = await Promise.all([
      load(() => scope.analytics.summary(this.range)),
      load(() => scope.extensions.list({ limit: 100 }).toArray({ limit: 500 })),
      load(() => scope.numbers.list({ limit: 100 }).toArray({ limit: 500 })),
      // One page each, newest first: the newest calls of the range, orders and events.
      load(async () => (await scope.calls.list({ startedFrom: this.range.from, startedBefore: this.range.to, order: 'desc', limit: RECENT_CALLS })).data),
      load(() => scope.portOrders.list({ order: 'desc', limit: 100 }).toArray({ limit: 200 })),
      load(async () => (await scope.auditEvents.list({ from: since, order: 'desc', limit: RECENT_AUDIT })).data),
    ]);
    Object.assign(this, { summary, extensions, numbers, calls, portOrders, audit });
  }

  protected override render() {
    const tz = this.range.tz;
    return html`<div class="grid">
      <section class="wide" aria-labelledby="h-calls">
        <h2 id="h-calls">Calls over time, ${this.tenant.name}</h2>
        ${panel(this.summary, (s) => [
          figures(s.totals),
          s.current
            ? html`<p class="muted">Now: ${count(s.current.channels)} calls in progress, ${count(s.current.registrations)} registered phones, ${bytes(s.current.storageBytes)} stored.</p>`
            : nothing,
          html`<hr-time-chart data-chart="calls" heading="Calls over time" time-zone=${tz} .times=${bucketTimes(s)} .series=${callSeries(s)}></hr-time-chart>`,
        ])}
      </section>
      <section aria-labelledby="h-peaks">
        <h2 id="h-peaks">Peak channels</h2>
        ${panel(
          this.summary,
          (s) =>
            html`<hr-time-chart data-chart="peak-channels" heading="Peak channels" time-zone=${tz} .times=${bucketTimes(s)} .series=${[{ label: 'Peak channels', color: '#8e44ad', values: s.buckets.map((b) => b.peakChannels) }]}></hr-time-chart>`,
        )}
      </section>
      <section aria-labelledby="h-recent">
        <h2 id="h-recent">Recent calls</h2>
        ${panel(this.calls, (calls) => this.#callTable(calls, tz))}
      </section>
      <section aria-labelledby="h-ext">
        <h2 id="h-ext">Extensions</h2>
        ${panel(
          this.extensions,
          (exts) => html`<table data-table="extensions">
            <thead><tr><th scope="col">Number</th><th scope="col">Name</th></tr></thead>
            <tbody>${exts.map((e) => html`<tr><td>${e.number}</td><td>${e.displayName}</td></tr>`)}</tbody>
          </table>`,
        )}
      </section>
      <section aria-labelledby="h-numbers">
        <h2 id="h-numbers">Numbers</h2>
        ${panel(this.numbers, (nums) =>
          nums.length === 0
            ? html`<p class="muted">No numbers.</p>`
            : html`<table data-table="numbers">
                <thead><tr><th scope="col">Number</th><th scope="col">Routes to</th></tr></thead>
                <tbody>${nums.map((n) => html`<tr><td>${n.number}</td><td>${n.routing ? `${label(n.routing.type)} ${n.routing.target}` : '–'}</td></tr>`)}</tbody>
              </table>`,
        )}
      </section>
      <section aria-labelledby="h-ports">
        <h2 id="h-ports">Port orders</h2>
        ${panel(this.portOrders, (orders) =>
          orders.length === 0
            ? html`<p class="muted">No port orders.</p>`
            : html`<table data-table="port-orders">
                <thead><tr><th scope="col">Numbers</th><th scope="col">State</th><th scope="col">FOC date</th></tr></thead>
                <tbody>${orders.map((o) => html`<tr><td>${o.numbers.join(', ')}</td><td><span class="status ${o.status}">${label(o.status)}</span></td><td>${o.focDate ?? o.requestedFocDate}</td></tr>`)}</tbody>
              </table>`,
        )}
      </section>
      <section aria-labelledby="h-audit">
        <h2 id="h-audit">Audit log</h2>
        ${panel(this.audit, (events) => auditList(events, tz))}
      </section>
    </div>`;
  }

  #callTable(calls: Call[], tz: string) {
    if (calls.length === 0) return html`<p class="muted">No calls in this range.</p>`;
    return html`<table data-table="calls">
      <caption class="muted">The newest ${calls.length} calls of the range</caption>
      <thead><tr><th scope="col">Started</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Outcome</th><th scope="col" class="num">Talk</th></tr></thead>
      <tbody>
        ${calls.map((c) => html`<tr><td>${dateTime(c.startedAt, tz)}</td><td>${c.from}</td><td>${c.to}</td><td>${label(c.disposition)}</td><td class="num">${c.durationSeconds} s</td></tr>`)}
      </tbody>
    </table>`;
  }
}

if (!customElements.get('hr-tenant-view')) customElements.define('hr-tenant-view', TenantView);

declare global {
  interface HTMLElementTagNameMap {
    'hr-tenant-view': TenantView;
  }
}
