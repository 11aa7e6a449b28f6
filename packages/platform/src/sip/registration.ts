/**
 * The registrar's request handling (Kamailio's registrar over usrloc): a REGISTER, once its
 * identity is known, binds, refreshes or removes contacts in the Registrar and is answered with
 * every contact the AOR now has.
 */
import type { SipConnection } from './connection';
import { parseContacts, type ContactValue } from './header-values';
import { header, headers, type SipRequest } from './message';
import { MAX_EXPIRES_SECONDS, type Registrar } from './registrar';
import { reply } from './replies';

const DEFAULT_EXPIRES = 3600;

export type RegisterRequest = { ok: true; contacts: ContactValue[] | '*'; expires: number | undefined } | { ok: false };

/** Contact and Expires of a REGISTER, checked before anything else is looked at. */
export function readRegister(request: SipRequest): RegisterRequest {
  const contacts = parseContacts(headers(request, 'contact'));
  const expiresHeader = header(request, 'expires');
  if (!contacts || (expiresHeader !== undefined && !/^\d{1,10}$/.test(expiresHeader))) return { ok: false };
  return { ok: true, contacts, expires: expiresHeader === undefined ? undefined : Number(expiresHeader) };
}

/** Applies an authenticated REGISTER for (tenantId, aor) and answers it. */
export function register(
  registrar: Registrar<SipConnection>,
  connection: SipConnection,
  request: SipRequest,
  parsed: Extract<RegisterRequest, { ok: true }>,
  tenantId: string,
  aor: string,
): void {
  const defaultExpires = parsed.expires ?? DEFAULT_EXPIRES;
  if (parsed.contacts === '*') {
    if (defaultExpires !== 0) return reply(connection, request, 400);
    registrar.unbindAll(tenantId, aor);
  } else {
    for (const contact of parsed.contacts) {
      // A token-bound registration never outlives its token.
      const expires = Math.min(contact.expires ?? defaultExpires, MAX_EXPIRES_SECONDS, connection.tokenSecondsLeft(registrar.now()) ?? Infinity);
      const uri = contact.uri.toString();
      if (expires === 0) registrar.unbind(tenantId, aor, uri);
      else if (!registrar.bind(tenantId, aor, uri, connection, expires)) return reply(connection, request, 503);
    }
  }
  // The answer states what is left by the registrar's own clock, the one that will expire the binding.
  const now = registrar.now();
  const bound = registrar.bindings(tenantId, aor).map((binding) => ({
    name: 'contact',
    value: `<${binding.contact}>;expires=${Math.max(0, Math.round((binding.expiresAt - now) / 1000))}`,
  }));
  reply(connection, request, 200, bound);
}
