import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { Registrar, type SipConnectionRef } from './registrar';

/** A connection that speaks for whatever `held` says, under the generation it says. */
function fakeConnection(id: string, held: Record<string, string> = {}): SipConnectionRef & { held: Record<string, string> } {
  return { id, held, credentialFor: (tenantId, number) => held[`${tenantId} ${number}`] };
}

describe('Registrar', () => {
  it('keeps a binding that its phone refreshes, and counts it once', () => {
    const connection = fakeConnection('c1', { 'ten_a 101': 'g1' });
    const registrar = new Registrar<typeof connection>();
    expect(registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60)).toBe(true);
    expect(registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60)).toBe(true);
    expect(registrar.target('ten_a', '101')?.contact).toBe('sip:x@a.invalid');
    expect(registrar.size).toBe(1);
    expect(registrar.countFor('ten_a')).toBe(1);
    registrar.clear();
  });

  it('counts bindings per tenant and forgets them with their connection', () => {
    const connection = fakeConnection('c1', { 'ten_a 101': 'g1', 'ten_a 102': 'g1' });
    const registrar = new Registrar<typeof connection>();
    registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60);
    registrar.bind('ten_a', '102', 'sip:y@a.invalid', connection, 60);
    registrar.bind('ten_b', '101', 'sip:z@b.invalid', fakeConnection('c2', { 'ten_b 101': 'g1' }), 60);
    expect([registrar.countFor('ten_a'), registrar.countFor('ten_b')]).toEqual([2, 1]);
    registrar.dropConnection(connection);
    expect([registrar.countFor('ten_a'), registrar.countFor('ten_b'), registrar.size]).toEqual([0, 1, 1]);
    registrar.clear();
  });

  it('never hands out a binding whose connection no longer holds the credentials it registered with', () => {
    const old = fakeConnection('old', { 'ten_a 101': 'g1' });
    const registrar = new Registrar<typeof old>();
    registrar.bind('ten_a', '101', 'sip:old@a.invalid', old, 60);
    // The password changes: the old socket's identity is taken away (or re-proved under another generation).
    old.held['ten_a 101'] = 'g2';
    expect(registrar.target('ten_a', '101')).toBeUndefined();
    expect(registrar.countFor('ten_a')).toBe(0);

    // The new 101 registers; an older binding of the old credentials never wins over it, even if newer.
    const fresh = fakeConnection('new', { 'ten_a 101': 'g3' });
    registrar.bind('ten_a', '101', 'sip:new@a.invalid', fresh, 60);
    const stale = fakeConnection('stale', { 'ten_a 101': 'g3' });
    registrar.bind('ten_a', '101', 'sip:stale@a.invalid', stale, 60);
    delete stale.held['ten_a 101'];
    expect(registrar.target('ten_a', '101')?.contact).toBe('sip:new@a.invalid');
    expect(registrar.bindings('ten_a', '101').map((b) => b.contact)).toEqual(['sip:new@a.invalid']);
    registrar.clear();
  });

  it('drops revoked bindings on request, so usage counts them no more', () => {
    const connection = fakeConnection('c1', { 'ten_a 101': 'g1' });
    const registrar = new Registrar<typeof connection>();
    registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60);
    registrar.bind('ten_a', '101', 'sip:y@a.invalid', connection, 60);
    delete connection.held['ten_a 101'];
    expect(registrar.countFor('ten_a')).toBe(2);
    registrar.dropRevoked('ten_a', '101');
    expect([registrar.countFor('ten_a'), registrar.size]).toEqual([0, 0]);
  });

  it('does not bind for a connection that holds no credentials for the AOR', () => {
    const connection = fakeConnection('c1');
    const registrar = new Registrar<typeof connection>();
    registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60);
    expect(registrar.target('ten_a', '101')).toBeUndefined();
    registrar.clear();
  });

  it('expires a binding on its own clock, and a refresh starts its time again', () => {
    const clock = new ManualClock(0);
    const connection = fakeConnection('c1', { 'ten_a 101': 'g1' });
    const registrar = new Registrar<typeof connection>(clock);
    registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60);
    clock.advance(59_000);
    expect(registrar.target('ten_a', '101')?.expiresAt).toBe(60_000);
    registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60);
    clock.advance(59_000);
    expect(registrar.target('ten_a', '101')?.contact).toBe('sip:x@a.invalid');
    clock.advance(1_000);
    expect(registrar.target('ten_a', '101')).toBeUndefined();
    expect([registrar.size, registrar.countFor('ten_a'), clock.pending]).toEqual([0, 0, 0]);
  });
});
