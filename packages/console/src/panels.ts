// Pieces of markup several views share: usage meters, figures, a panel that may have failed.
import { html, nothing, type TemplateResult } from 'lit';
import { APIError, type AnalyticsFigures, type AnalyticsSummary, type UsageFigure } from '@highrise/sdk';
import { count, minutes, percent } from './format';
import type { ChartSeries } from './time-chart';

/** A panel's data or why it could not be loaded (a 403 says the key's role lacks the permission). */
export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string } | undefined;

export async function load<T>(fetch: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await fetch() };
  } catch (e) {
    if (e instanceof APIError && e.status === 403) return { ok: false, message: 'This key’s role may not read this.' };
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

export function panel<T>(loaded: Loaded<T>, body: (value: T) => unknown): unknown {
  if (loaded === undefined) return html`<p class="muted">Loading…</p>`;
  if (!loaded.ok) return html`<p class="error" role="alert">${loaded.message}</p>`;
  return body(loaded.value);
}

/** Share of the limit from which a tenant counts as near it (the platform's limit_warning is at 80 %). */
export const NEAR_LIMIT = 0.8;

export const usageRatio = (u: UsageFigure) => (u.limit ? u.used / u.limit : null);

export function usageMeter(name: string, u: UsageFigure, format: (n: number) => string = count): TemplateResult {
  const id = `u-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return html`<span id=${id}>${name}</span>
    ${u.limit === null
      ? html`<span class="muted">no limit</span>`
      : html`<meter aria-labelledby=${id} min="0" max=${u.limit} value=${Math.min(u.used, u.limit)} low=${u.limit * 0.6} high=${u.limit * NEAR_LIMIT} optimum="0"></meter>`}
    <span class="num">${format(u.used)}${u.limit === null ? '' : ` / ${format(u.limit)}`}</span>`;
}

type Refusals = NonNullable<AnalyticsFigures['refusals']>;
const refusalSum = (r: Refusals) => r.channels + r.messages + r.extensions + r.storage;
/** The refusals by limit, for the tile's tooltip. */
const refusalTitle = (r: Refusals) => `channels ${r.channels}, messages ${r.messages}, extensions ${r.extensions}, storage ${r.storage}`;

export function figures(totals: AnalyticsFigures): TemplateResult {
  return html`<dl class="figures">
    <div><dt>Calls</dt><dd data-figure="calls">${count(totals.calls)}</dd></div>
    <div><dt>Answered</dt><dd>${count(totals.answered)}</dd></div>
    <div><dt>Missed</dt><dd>${count(totals.missed)}</dd></div>
    <div><dt>Failed</dt><dd>${count(totals.failed)}</dd></div>
    <div><dt>Minutes</dt><dd>${minutes(totals.minutes)}</dd></div>
    <div><dt>Answer-seizure ratio</dt><dd>${percent(totals.answerSeizureRatio)}</dd></div>
    ${totals.peakChannels === null ? nothing : html`<div><dt>Peak channels</dt><dd>${count(totals.peakChannels)}</dd></div>`}
    ${totals.messages === undefined ? nothing : html`<div><dt>Messages</dt><dd data-figure="messages">${count(totals.messages)}</dd></div>`}
    ${totals.refusals === undefined ? nothing : html`<div><dt>Refused at a limit</dt><dd data-figure="refusals" title=${refusalTitle(totals.refusals)}>${count(refusalSum(totals.refusals))}</dd></div>`}
    ${totals.peakRegistrations === null || totals.peakRegistrations === undefined ? nothing : html`<div><dt>Peak registrations</dt><dd>${count(totals.peakRegistrations)}</dd></div>`}
  </dl>`;
}

export const bucketTimes = (summary: AnalyticsSummary) => summary.buckets.map((b) => Date.parse(b.start) / 1000);

export function callSeries(summary: AnalyticsSummary): ChartSeries[] {
  return [
    { label: 'Calls', color: '#1f5fad', values: summary.buckets.map((b) => b.calls) },
    { label: 'Answered', color: '#1b7f3b', values: summary.buckets.map((b) => b.answered) },
    { label: 'Failed', color: '#b3261e', values: summary.buckets.map((b) => b.failed) },
  ];
}

/** Distinct colours for per-tenant lines. */
export const PALETTE = ['#1f5fad', '#b3261e', '#1b7f3b', '#8e44ad', '#b45309', '#0e7490'];
