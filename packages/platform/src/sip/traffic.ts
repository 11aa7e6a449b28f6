/**
 * SIP messages through the edge, counted by direction, method and status for the operator's
 * metrics (issue 12). Every label comes from a closed set: a method the edge does not handle counts
 * as `other`, a status outside 100–699 is never counted (the parser refuses it), and no tenant,
 * user or address is ever a label; per-tenant figures belong to the analytics API.
 */
import { header, type SipMessage } from './message';
import { SIP_METHODS } from './methods';

export type SipDirection = 'received' | 'sent';

export interface SipTrafficCount {
  direction: SipDirection;
  kind: 'request' | 'response';
  method: string;
  /** The status of a response; undefined for a request. */
  status: number | undefined;
  count: number;
}

const methodLabel = (method: string | undefined): string => (method !== undefined && Object.hasOwn(SIP_METHODS, method) ? method : 'other');

export class SipTraffic {
  readonly #counts = new Map<string, SipTrafficCount>();

  count(direction: SipDirection, message: SipMessage): void {
    const request = message.kind === 'request';
    // A response's method is its CSeq's (`1 INVITE`).
    const method = methodLabel(request ? message.method : header(message, 'cseq')?.split(/\s+/)[1]);
    const status = request ? undefined : message.status;
    const key = `${direction} ${method} ${status ?? ''}`;
    const row = this.#counts.get(key);
    if (row) row.count++;
    else this.#counts.set(key, { direction, kind: message.kind, method, status, count: 1 });
  }

  snapshot(): SipTrafficCount[] {
    return [...this.#counts.values()].map((row) => ({ ...row }));
  }
}
