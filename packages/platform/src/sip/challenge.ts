/**
 * The one challenge responder of the edge (Kamailio's auth module answering for auth_db): the
 * extension authenticator and the trunk authenticator each decide, and this turns either decision
 * into the same answers. A missing or stale credential gets a digest challenge (401 with
 * WWW-Authenticate for REGISTER, 407 with Proxy-Authenticate otherwise); a refusal gets its status.
 */
import type { AuthOutcome, SipIdentity } from './authenticator';
import type { SipConnection } from './connection';
import type { DigestAuthority } from './digest';
import type { SipRequest } from './message';
import { reasonHeader, reply } from './replies';
import type { TrunkAuthOutcome, TrunkIdentity } from './trunk-auth';

export type AuthVerdict<T> =
  | { kind: 'ok'; identity: T }
  | { kind: 'challenge'; realm: string; stale: boolean }
  | { kind: 'refused'; status: number; problem: string }
  /** Not this authenticator's kind of caller (a trunk verdict on an extension's request). */
  | { kind: 'not_mine' };

export function extensionVerdict(outcome: AuthOutcome): AuthVerdict<SipIdentity> {
  if (outcome.ok) return { kind: 'ok', identity: outcome.identity };
  if ('challenge' in outcome) return { kind: 'challenge', ...outcome.challenge };
  return { kind: 'refused', status: outcome.status, problem: outcome.problem };
}

const NOT_MINE = { kind: 'not_mine' } as const;
const ANSWERED = { kind: 'answered' } as const;

export function trunkVerdict(outcome: TrunkAuthOutcome): AuthVerdict<TrunkIdentity> {
  return outcome.kind === 'not_trunk' ? NOT_MINE : outcome;
}

/** What the responder made of a verdict: who is speaking, that it answered, or not its caller. */
export type Identified<T> = { kind: 'identified'; identity: T } | typeof ANSWERED | typeof NOT_MINE;

export class ChallengeResponder {
  readonly #digest: DigestAuthority;
  readonly #log: (line: string) => void;

  constructor(digest: DigestAuthority, log: (line: string) => void) {
    this.#digest = digest;
    this.#log = log;
  }

  /** Answers the request when the verdict is a challenge or a refusal. */
  respond<T>(connection: SipConnection, request: SipRequest, verdict: AuthVerdict<T>, who?: 'trunk'): Identified<T> {
    switch (verdict.kind) {
      case 'ok':
        return { kind: 'identified', identity: verdict.identity };
      case 'not_mine':
        return NOT_MINE;
      case 'challenge': {
        const registering = request.method === 'REGISTER';
        const value = this.#digest.challenge(verdict.realm, verdict.stale, connection);
        reply(connection, request, registering ? 401 : 407, [{ name: registering ? 'www-authenticate' : 'proxy-authenticate', value }]);
        return ANSWERED;
      }
      case 'refused':
        this.#log(`sip: ${who ? `${who} ` : ''}${request.method} refused (${verdict.problem}) on ${connection.id}`);
        // Only a token's holder can meet `token_expired`; saying so tells nobody else anything.
        reply(connection, request, verdict.status, verdict.problem === 'token_expired' ? [reasonHeader(verdict.status, verdict.problem)] : []);
        return ANSWERED;
    }
  }
}
