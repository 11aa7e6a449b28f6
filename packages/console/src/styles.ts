import { css } from 'lit';

/** Panels, tables and meters shared by every view. Colours keep WCAG AA contrast on white. */
export const panelStyles = css`
  :host {
    display: block;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr));
    gap: 1rem;
  }
  section {
    background: #fff;
    border: 1px solid #d9dee3;
    border-radius: 8px;
    padding: 1rem;
    min-width: 0;
  }
  section.wide {
    grid-column: 1 / -1;
  }
  h2 {
    font-size: 1rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 0.9rem;
    margin: 0.75rem 0 0.25rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 0.35rem 0.5rem;
    border-bottom: 1px solid #e4e7eb;
    vertical-align: top;
  }
  th {
    font-weight: 600;
    color: #3e4c59;
  }
  td.num,
  th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .muted {
    color: #52606d;
  }
  .error {
    color: #ab091e;
  }
  .status {
    display: inline-block;
    border-radius: 999px;
    padding: 0 0.5rem;
    font-size: 0.85em;
    background: #e4e7eb;
    color: #1f2933;
  }
  .status.suspended,
  .status.failed,
  .status.exception {
    background: #fde0e0;
    color: #8a041a;
  }
  .status.active,
  .status.delivered,
  .status.completed {
    background: #e3f9e5;
    color: #05400a;
  }
  .usage {
    display: grid;
    grid-template-columns: 6.5rem 1fr 7.5rem;
    gap: 0.25rem 0.5rem;
    align-items: center;
    font-size: 0.85em;
  }
  meter {
    width: 100%;
    height: 0.8rem;
  }
  .figures {
    display: flex;
    flex-wrap: wrap;
    gap: 1.5rem;
    margin: 0 0 1rem;
    padding: 0;
  }
  .figures div {
    margin: 0;
  }
  .figures dt {
    color: #52606d;
    font-size: 0.85em;
  }
  .figures dd {
    margin: 0;
    font-size: 1.4rem;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  ol.timeline {
    margin: 0.25rem 0 0;
    padding-left: 1.25rem;
    font-size: 0.85em;
  }
  ul.plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  ul.plain li {
    padding: 0.3rem 0;
    border-bottom: 1px solid #e4e7eb;
  }
`;
