const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/**
 * Delay before reconnect attempt `attempt` (0-based): doubling from 1 s up to 30 s, with ±20 %
 * jitter so that many widgets dropped by one edge restart do not reconnect in the same instant.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Whether a WebSocket close means "do not come back with the same credentials": the edge closes
 * with a policy code (1008 or 4000-4999) and a reason such as `token_expired` when it refuses a
 * token, and retrying would only be refused again. Anything else (restart, network) is retried.
 */
export function isRefusal(close: { code: number; reason: string }): boolean {
  return close.code === 1008 || (close.code >= 4000 && close.code <= 4999) || /^(token_|tenant_|extension_)/.test(close.reason);
}
