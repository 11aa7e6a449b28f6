/**
 * In-process news of changes that void credentials held by open SIP sockets (a replaced password, a
 * deleted extension or trunk, a tenant out of service). The edge re-checks what a socket holds on
 * every use anyway; this only lets it act at once: close the sockets of a suspended tenant, end its
 * calls, drop registrations the new credentials would not grant. Published after the change is
 * committed, so the edge never acts on a change that was rolled back.
 */
import type { SipCredentialChange } from './sip-directory-contract';
import type { DomainContext } from './context';

export type { SipCredentialChange };

export class CredentialChanges {
  readonly #listeners = new Set<(change: SipCredentialChange) => void>();

  subscribe(listener: (change: SipCredentialChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(change: SipCredentialChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not undo or fail the committed change that caused it.
      }
    }
  }
}

/** Tells the context's listeners, if it has any (a context without a SIP edge has none). */
export function publishCredentialChange(ctx: DomainContext, change: SipCredentialChange): void {
  ctx.credentialChanges?.publish(change);
}
