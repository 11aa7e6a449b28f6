import { describe, expect, it } from 'vitest';
import { Registrar } from './registrar';

const connection = { id: 'c1' };

describe('Registrar', () => {
  it('keeps a binding that its phone refreshes, and counts it once', () => {
    const registrar = new Registrar<typeof connection>();
    expect(registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60)).toBe(true);
    expect(registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60)).toBe(true);
    expect(registrar.target('ten_a', '101')?.contact).toBe('sip:x@a.invalid');
    expect(registrar.size).toBe(1);
    expect(registrar.countFor('ten_a')).toBe(1);
    registrar.clear();
  });

  it('counts bindings per tenant and forgets them with their connection', () => {
    const registrar = new Registrar<typeof connection>();
    registrar.bind('ten_a', '101', 'sip:x@a.invalid', connection, 60);
    registrar.bind('ten_a', '102', 'sip:y@a.invalid', connection, 60);
    registrar.bind('ten_b', '101', 'sip:z@b.invalid', { id: 'c2' }, 60);
    expect([registrar.countFor('ten_a'), registrar.countFor('ten_b')]).toEqual([2, 1]);
    registrar.dropConnection(connection);
    expect([registrar.countFor('ten_a'), registrar.countFor('ten_b'), registrar.size]).toEqual([0, 1, 1]);
    registrar.clear();
  });
});
