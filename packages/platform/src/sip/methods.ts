/**
 * The SIP methods the edge handles, and what it does with one that arrives outside any dialog.
 * The router derives its Allow header and its out-of-dialog set from this table, and the
 * isolation matrix in test/sip-attacks.test.ts needs a row for every method in it: a method
 * added here without one fails that suite. Anything not listed is answered 405.
 */
export const SIP_METHODS = {
  // registrar: binds a contact for an AOR of the authenticated identity.
  // routed: authenticated, then routed inside the caller's tenant.
  // transaction: matched to an INVITE transaction of the same connection.
  // in-dialog: only inside a dialog the edge saw created (481 or 405 outside one).
  // (Listed in the order of the Allow header the edge has always sent.)
  REGISTER: 'registrar',
  INVITE: 'routed',
  ACK: 'transaction',
  BYE: 'in-dialog',
  CANCEL: 'transaction',
  OPTIONS: 'routed',
  MESSAGE: 'routed',
  UPDATE: 'in-dialog',
  INFO: 'in-dialog',
  PRACK: 'in-dialog',
  REFER: 'in-dialog',
  NOTIFY: 'in-dialog',
} as const satisfies Record<string, 'registrar' | 'routed' | 'transaction' | 'in-dialog'>;

export type SipMethod = keyof typeof SIP_METHODS;

const methods = Object.keys(SIP_METHODS) as SipMethod[];

/** The Allow header value: every method a phone may send to another phone through the edge. */
export const ALLOW = methods.filter((m) => m !== 'REGISTER').join(', ');

/** Methods that may start something outside a dialog (after authentication). */
export const OUT_OF_DIALOG: ReadonlySet<string> = new Set(methods.filter((m) => SIP_METHODS[m] === 'routed'));
