/** The first warning comes this long before the token expires… */
export const TOKEN_WARNING_LEAD_MS = 60_000;
/** …and repeats this often until a new token arrives. */
export const TOKEN_WARNING_REPEAT_MS = 15_000;

/**
 * Milliseconds until the next `token-will-expire` warning for a token expiring at `expiresAt`
 * (epoch ms), or undefined when it has expired and warning is pointless.
 */
export function nextTokenWarningInMs(expiresAt: number, now: number, warnedBefore: boolean): number | undefined {
  if (now >= expiresAt) return undefined;
  const firstAt = expiresAt - TOKEN_WARNING_LEAD_MS;
  if (now < firstAt) return firstAt - now;
  return warnedBefore ? TOKEN_WARNING_REPEAT_MS : 0;
}

/** Seconds in a SIP `Retry-After` header (`120`, `120;duration=60`, `120 (busy)`), or undefined. */
export function retryAfterMs(header: string | undefined): number | undefined {
  const seconds = header ? Number.parseInt(header, 10) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
