import { createHmac } from 'node:crypto';
import type { IceServer } from '@highrise/sdk/schemas';

/*
 * Time-limited TURN credentials for phones behind symmetric NAT (issue 10): the "TURN REST API"
 * scheme coturn verifies with `use-auth-secret` and `static-auth-secret`, so the TURN server
 * needs no user table and never calls the platform. The username is `<expiry, unix seconds>:<subject>`,
 * the password base64(HMAC-SHA1(secret, username)); coturn refuses the username once its expiry
 * has passed. Minted with each softphone token and expiring with it.
 */

export interface TurnOptions {
  /** coturn's `static-auth-secret`. */
  secret: string;
  /** `turn:` / `turns:` URLs handed to phones, e.g. `turn:turn.example.com:3478?transport=udp`. */
  urls: string[];
}

/** The subject is who the credential is for; no `:` (coturn splits the username at the first one). */
export function mintTurnIceServer(turn: TurnOptions, subject: string, expiresAt: Date): IceServer {
  if (subject.includes(':')) throw new Error('a TURN subject has no colon');
  const username = `${Math.floor(expiresAt.getTime() / 1000)}:${subject}`;
  return { urls: [...turn.urls], username, credential: turnPassword(turn.secret, username) };
}

export const turnPassword = (secret: string, username: string) => createHmac('sha1', secret).update(username).digest('base64');

/** `turn:host[:port][?transport=udp|tcp]` or `turns:…`: what RTCPeerConnection accepts for a TURN server. */
export function isTurnUrl(url: string): boolean {
  return /^turns?:[A-Za-z0-9.\-[\]:]+(\?transport=(udp|tcp))?$/.test(url);
}
