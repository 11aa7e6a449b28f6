import { css } from 'lit';

export const softphoneStyles = css`
  :host {
    display: inline-block;
    width: 16rem;
    color: var(--highrise-text-color, #1f2933);
    font-family: var(--highrise-font-family, system-ui, sans-serif);
    font-size: var(--highrise-font-size, 14px);
  }
  :host([hidden]) {
    display: none;
  }
  [part='base'] {
    display: grid;
    gap: 0.75em;
    padding: 1em;
    background: var(--highrise-background, #fff);
    border: 1px solid var(--highrise-border-color, #d9dee3);
    border-radius: var(--highrise-radius, 12px);
  }
  header {
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    gap: 0.5em;
  }
  .brand {
    font-weight: 600;
  }
  [part='status'] {
    font-size: 0.85em;
    color: var(--highrise-muted-color, #52606d);
  }
  [part='status']::before {
    content: '';
    display: inline-block;
    width: 0.5em;
    height: 0.5em;
    margin-inline-end: 0.35em;
    border-radius: 50%;
    background: var(--highrise-muted-color, #9aa5b1);
  }
  :host([registration='registered']) [part='status']::before {
    background: var(--highrise-success-color, #2f9e44);
  }
  :host([registration='failed']) [part='status']::before {
    background: var(--highrise-danger-color, #c53030);
  }
  input,
  button {
    font: inherit;
    border-radius: calc(var(--highrise-radius, 12px) / 2);
  }
  [part='number'],
  [part='transfer-target'],
  [part='message-input'] {
    padding: 0.5em;
    border: 1px solid var(--highrise-border-color, #d9dee3);
    color: inherit;
    background: transparent;
    min-width: 0;
  }
  [part='dialpad'] {
    display: grid;
    grid-template-columns: repeat(3, 1fr);
    gap: 0.4em;
  }
  button {
    padding: 0.55em;
    border: 1px solid var(--highrise-border-color, #d9dee3);
    background: var(--highrise-key-background, transparent);
    color: inherit;
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--highrise-accent-color, #2563eb);
    outline-offset: 1px;
  }
  [part='call-button'],
  [part='answer-button'] {
    background: var(--highrise-accent-color, #2563eb);
    border-color: transparent;
    color: var(--highrise-accent-text-color, #fff);
  }
  [part='reject-button'],
  [part='hangup-button'] {
    background: var(--highrise-danger-color, #c53030);
    border-color: transparent;
    color: var(--highrise-accent-text-color, #fff);
  }
  [part='call-controls'],
  .row {
    display: flex;
    gap: 0.5em;
  }
  [part='call-controls'] > button,
  .row > button {
    flex: 1;
  }
  .call {
    display: grid;
    gap: 0.25em;
    text-align: center;
  }
  :host([ring-blocked]) .call {
    animation: ring 0.6s steps(2) infinite alternate;
  }
  @keyframes ring {
    to {
      background: var(--highrise-accent-color, #2563eb);
      color: var(--highrise-accent-text-color, #fff);
    }
  }
  .peer {
    font-size: 1.2em;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .uri {
    font-size: 0.85em;
    color: var(--highrise-muted-color, #52606d);
    overflow-wrap: anywhere;
  }
  .error {
    color: var(--highrise-danger-color, #c53030);
    font-size: 0.85em;
  }
  [part='quality'] {
    color: var(--highrise-danger-color, #c53030);
    font-size: 0.85em;
  }
  [part='quality']:not(:empty)::before {
    content: '⚠ ' / '';
  }
  audio {
    display: none;
  }
  [part='messages'] {
    margin: 0.5em 0;
    padding: 0;
    list-style: none;
    max-height: 8em;
    overflow-y: auto;
    overflow-wrap: anywhere;
  }
  .mine {
    text-align: end;
  }
  [part='transfer-target'],
  [part='message-input'] {
    flex: 1;
  }
  [aria-pressed='true'] {
    background: var(--highrise-text-color, #1f2933);
    color: var(--highrise-background, #fff);
  }

`;
