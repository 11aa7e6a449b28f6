// <hr-time-chart>: one uPlot chart of buckets over time. uPlot draws to a canvas, so the element
// also carries a text summary (role="img" with a label) for screen readers, and keeps the plot
// reachable as `.plot` so a test can read what was drawn.
import { LitElement, css, html, unsafeCSS, type PropertyDeclarations, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

const HEIGHT = 220;

export class TimeChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        min-width: 0;
      }
      .plot {
        min-height: ${HEIGHT + 40}px;
      }
      .empty {
        color: #52606d;
        padding: 2rem 0;
        text-align: center;
      }
    `,
  ];

  static override properties: PropertyDeclarations = {
    heading: {},
    /** Bucket starts, epoch seconds. */
    times: { attribute: false },
    series: { attribute: false },
    timeZone: { attribute: 'time-zone' },
  };

  declare heading: string;
  declare times: number[];
  declare series: ChartSeries[];
  declare timeZone: string;

  /** The drawn chart; undefined before the first data or when there is nothing to draw. */
  plot: uPlot | undefined;
  #resize: ResizeObserver | undefined;

  constructor() {
    super();
    this.heading = '';
    this.times = [];
    this.series = [];
    this.timeZone = 'UTC';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resize = new ResizeObserver(() => this.plot?.setSize({ width: this.#width(), height: HEIGHT }));
    this.#resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  #width(): number {
    return Math.max(240, this.clientWidth || 600);
  }

  #summary(): string {
    const totals = this.series.map((s) => `${s.label} ${s.values.reduce<number>((a, v) => a + (v ?? 0), 0)} in total, at most ${Math.max(0, ...s.values.map((v) => v ?? 0))}`);
    return `${this.heading}: ${this.times.length} periods. ${totals.join('; ')}.`;
  }

  protected override render() {
    const empty = this.times.length === 0;
    return html`<div class="plot" role="img" aria-label=${this.#summary()}>${empty ? html`<p class="empty">No data in this range.</p>` : ''}</div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('times') && !changed.has('series') && !changed.has('timeZone')) return;
    const host = this.renderRoot.querySelector<HTMLElement>('.plot')!;
    // A new series list or zone needs new options; the same shape only new data.
    const sameShape = this.plot && !changed.has('timeZone') && this.plot.series.length === this.series.length + 1 && this.series.every((s, i) => this.plot!.series[i + 1]?.label === s.label);
    if (this.times.length === 0) {
      this.plot?.destroy();
      this.plot = undefined;
      return;
    }
    const data: uPlot.AlignedData = [this.times, ...this.series.map((s) => s.values)];
    if (sameShape) {
      this.plot!.setData(data);
      return;
    }
    this.plot?.destroy();
    const tz = this.timeZone;
    this.plot = new uPlot(
      {
        width: this.#width(),
        height: HEIGHT,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ stroke: '#3e4c59' }, { stroke: '#3e4c59', size: 50 }],
        series: [{ label: 'Time' }, ...this.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false } }))],
      },
      data,
      host,
    );
    // The canvas is decoration: the label on .plot says what it shows.
    host.querySelector('canvas')?.setAttribute('aria-hidden', 'true');
  }
}

if (!customElements.get('hr-time-chart')) customElements.define('hr-time-chart', TimeChart);

declare global {
  interface HTMLElementTagNameMap {
    'hr-time-chart': TimeChart;
  }
}
