/**
 * Registered contacts per (tenant, extension), each tied to the WebSocket connection it came
 * over: a contact's host is usually `*.invalid`, so the connection is the only way to reach it.
 * All lookups are map hits; a binding leaves on expiry, on `Expires: 0` or when its socket closes.
 *
 * A binding is also only as good as the credentials that made it: it remembers the credential
 * generation its connection held for the AOR when it registered, and is used (as a call target,
 * in the REGISTER answer) only while the connection still holds that very generation. Whatever
 * takes the identity from the connection (a new password, a deleted extension, a rotated trunk
 * password) thereby voids its bindings, with no second list to keep in step.
 */
import { systemClock, type SipClock, type SipTimer } from './clock';

export interface SipConnectionRef {
  readonly id: string;
  /** The credential generation under which the connection speaks for the AOR now; undefined when it does not. */
  credentialFor(tenantId: string, number: string): string | undefined;
}

export interface Binding<C extends SipConnectionRef> {
  tenantId: string;
  number: string;
  /** The contact URI as the UA sent it; requests for the AOR are sent to it. */
  contact: string;
  connection: C;
  expiresAt: number;
  /** Registration order: the newest binding receives calls. */
  order: number;
  /** What `connection.credentialFor` said when the binding was made; the binding lives only while it still says so. */
  credential: string | undefined;
  timer: SipTimer;
}

export const MAX_BINDINGS_PER_AOR = 10;
export const MAX_EXPIRES_SECONDS = 3600;

export class Registrar<C extends SipConnectionRef> {
  readonly #clock: SipClock;
  readonly #byAor = new Map<string, Map<string, Binding<C>>>();
  readonly #byConnection = new Map<string, Set<Binding<C>>>();
  readonly #perTenant = new Map<string, number>();
  #order = 0;
  #count = 0;

  /** Told when a tenant's bindings grow (its peak registrations; issue 12). */
  onGrow: ((tenantId: string, before: number, after: number) => void) | undefined;

  constructor(clock: SipClock = systemClock) {
    this.#clock = clock;
  }

  /** Bindings per tenant holding any. */
  perTenant(): IterableIterator<[string, number]> {
    return this.#perTenant.entries();
  }

  /** The registrar's time: binding expiry and the `expires` a REGISTER answer states both read it. */
  now(): number {
    return this.#clock.now();
  }

  get size(): number {
    return this.#count;
  }

  /** Bindings held by one tenant's phones, for its usage figures. */
  countFor(tenantId: string): number {
    return this.#perTenant.get(tenantId) ?? 0;
  }

  /** The AOR's bindings whose credentials still hold; any others are dropped on the way. */
  bindings(tenantId: string, number: string): Binding<C>[] {
    const live: Binding<C>[] = [];
    for (const binding of [...(this.#byAor.get(aorKey(tenantId, number))?.values() ?? [])]) {
      if (current(binding)) live.push(binding);
      else this.#remove(binding);
    }
    return live;
  }

  /** The binding that receives requests for the AOR: the most recently registered one whose credentials still hold. */
  target(tenantId: string, number: string): Binding<C> | undefined {
    let newest: Binding<C> | undefined;
    for (const binding of this.bindings(tenantId, number)) {
      if (!newest || binding.order > newest.order) newest = binding;
    }
    return newest;
  }

  /** Drops the AOR's bindings whose connection no longer holds the credentials they were made with. */
  dropRevoked(tenantId: string, number: string): void {
    this.bindings(tenantId, number);
  }

  /** Adds or refreshes a binding; false when the AOR already has its maximum of contacts. */
  bind(tenantId: string, number: string, contact: string, connection: C, expiresSeconds: number): boolean {
    const key = aorKey(tenantId, number);
    let contacts = this.#byAor.get(key);
    const existing = contacts?.get(contact);
    if (!existing && (contacts?.size ?? 0) >= MAX_BINDINGS_PER_AOR) return false;
    if (existing) {
      this.#remove(existing);
      // Removing the AOR's only contact drops its map; a refresh must not bind into the orphan.
      contacts = this.#byAor.get(key);
    }
    if (!contacts) this.#byAor.set(key, (contacts = new Map()));
    const binding: Binding<C> = {
      tenantId,
      number,
      contact,
      connection,
      expiresAt: this.#clock.now() + expiresSeconds * 1000,
      order: ++this.#order,
      credential: connection.credentialFor(tenantId, number),
      timer: this.#clock.after(expiresSeconds * 1000, () => this.#remove(binding)),
    };
    contacts.set(contact, binding);
    let owned = this.#byConnection.get(connection.id);
    if (!owned) this.#byConnection.set(connection.id, (owned = new Set()));
    owned.add(binding);
    this.#count++;
    const held = this.#perTenant.get(tenantId) ?? 0;
    this.#perTenant.set(tenantId, held + 1);
    // A refresh removed its old binding just above: the tenant's count is back where it was, no growth.
    if (!existing) this.onGrow?.(tenantId, held, held + 1);
    return true;
  }

  unbind(tenantId: string, number: string, contact: string): void {
    const binding = this.#byAor.get(aorKey(tenantId, number))?.get(contact);
    if (binding) this.#remove(binding);
  }

  unbindAll(tenantId: string, number: string): void {
    for (const binding of this.bindings(tenantId, number)) this.#remove(binding);
  }

  dropConnection(connection: C): void {
    for (const binding of [...(this.#byConnection.get(connection.id) ?? [])]) this.#remove(binding);
    this.#byConnection.delete(connection.id);
  }

  clear(): void {
    for (const contacts of this.#byAor.values()) for (const binding of contacts.values()) binding.timer.cancel();
    this.#byAor.clear();
    this.#byConnection.clear();
    this.#perTenant.clear();
    this.#count = 0;
  }

  #remove(binding: Binding<C>): void {
    const key = aorKey(binding.tenantId, binding.number);
    const contacts = this.#byAor.get(key);
    if (contacts?.get(binding.contact) !== binding) return;
    binding.timer.cancel();
    contacts.delete(binding.contact);
    if (contacts.size === 0) this.#byAor.delete(key);
    const owned = this.#byConnection.get(binding.connection.id);
    owned?.delete(binding);
    if (owned?.size === 0) this.#byConnection.delete(binding.connection.id);
    this.#count--;
    const left = (this.#perTenant.get(binding.tenantId) ?? 1) - 1;
    if (left > 0) this.#perTenant.set(binding.tenantId, left);
    else this.#perTenant.delete(binding.tenantId);
  }
}

function current<C extends SipConnectionRef>(binding: Binding<C>): boolean {
  return binding.credential !== undefined && binding.connection.credentialFor(binding.tenantId, binding.number) === binding.credential;
}

function aorKey(tenantId: string, number: string): string {
  return `${tenantId}\n${number}`;
}
