/** Responses the edge itself sends (stateless: nothing is kept for them). */
import { randomToken, type SipConnection } from './connection';
import { REASONS, responseTo, type SipHeader, type SipRequest } from './message';

/** Answers `request` on `connection`; an ACK is never answered. */
export function reply(connection: SipConnection, request: SipRequest, status: number, extra: SipHeader[] = []): void {
  if (request.method === 'ACK') return;
  const toTag = status > 100 ? randomToken() : undefined;
  connection.send(responseTo(request, status, REASONS[status] ?? 'Unknown', { ...(toTag ? { toTag } : {}), headers: extra }));
}

/** A Reason header (RFC 3326) saying why the edge refused, for the phone and its user to read. */
export function reasonHeader(status: number, text: string): SipHeader {
  return { name: 'reason', value: `SIP;cause=${status};text="${text.replace(/["\\\r\n]/g, ' ')}"` };
}
