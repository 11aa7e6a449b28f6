import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { parseFrame } from './framing';
import type { SipRequest } from './message';
import { fakeConnection, requestFrame } from './testing';
import { newClientBranch, serverKey, TransactionTable } from './transactions';

function request(options: Parameters<typeof requestFrame>[0]): SipRequest {
  const parsed = parseFrame(requestFrame(options));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad frame');
  return parsed.message;
}

const bye = (branch: string | null) => request({ method: 'BYE', uri: 'sip:b@x.invalid', from: '<sip:a@t>;tag=1', to: '<sip:b@t>;tag=2', branch });

function openFor(table: TransactionTable, up: ReturnType<typeof fakeConnection>, down: ReturnType<typeof fakeConnection>, received: SipRequest) {
  const admission = table.admit(up.connection, received);
  if (admission.kind !== 'new') throw new Error(`not admitted: ${admission.kind}`);
  return table.open({ branch: newClientBranch(), serverKey: admission.key, method: received.method, upstream: up.connection, downstream: down.connection, received, forwarded: received });
}

describe('admitting a request', () => {
  it('refuses a request without a branch with 400, before anything is kept', () => {
    const table = new TransactionTable(new ManualClock());
    const phone = fakeConnection();
    expect(table.admit(phone.connection, bye(null))).toEqual({ kind: 'refused', status: 400, problem: 'no branch in via' });
    expect(phone.connection.serverTransactions.size).toBe(0);
  });

  it('absorbs a request whose branch and method are already under way on the same connection only', () => {
    const table = new TransactionTable(new ManualClock());
    const [a, b, callee] = [fakeConnection(), fakeConnection(), fakeConnection()];
    openFor(table, a, callee, bye('z9hG4bK1'));
    expect(table.admit(a.connection, bye('z9hG4bK1'))).toEqual({ kind: 'retransmission' });
    // The same branch on another connection, or with another method, is another transaction.
    expect(table.admit(b.connection, bye('z9hG4bK1')).kind).toBe('new');
    const info = { ...bye('z9hG4bK1'), method: 'INFO' };
    expect(table.admit(a.connection, info)).toEqual({ kind: 'new', key: serverKey('INFO', 'z9hG4bK1') });
  });

  it('refuses with 503 once a connection has its cap of transactions open', () => {
    const table = new TransactionTable(new ManualClock(), 2);
    const [phone, callee] = [fakeConnection(), fakeConnection()];
    openFor(table, phone, callee, bye('z9hG4bK1'));
    openFor(table, phone, callee, bye('z9hG4bK2'));
    expect(table.admit(phone.connection, bye('z9hG4bK3'))).toMatchObject({ kind: 'refused', status: 503 });
  });

  it('counts a finished transaction that only lingers as room: the oldest gives way to a new request', () => {
    const table = new TransactionTable(new ManualClock(), 2);
    const [phone, callee] = [fakeConnection(), fakeConnection()];
    const finished = openFor(table, phone, callee, bye('z9hG4bK1'));
    finished.final = 200;
    openFor(table, phone, callee, bye('z9hG4bK2'));
    const third = openFor(table, phone, callee, bye('z9hG4bK3'));
    expect(table.get(finished.branch)).toBeUndefined();
    expect(table.of(phone.connection, 'sent')).toHaveLength(2);
    expect(table.of(phone.connection, 'sent')).toContain(third);
    expect(table.admit(phone.connection, bye('z9hG4bK4'))).toMatchObject({ kind: 'refused', status: 503 });
  });
});

describe('a transaction', () => {
  it('is found by our branch, fires its timer on the clock, and leaves every index when forgotten', () => {
    const clock = new ManualClock();
    const table = new TransactionTable(clock);
    const [phone, callee] = [fakeConnection(), fakeConnection()];
    const transaction = openFor(table, phone, callee, bye('z9hG4bK1'));
    expect(table.get(transaction.branch)).toBe(transaction);
    expect(table.of(phone.connection, 'sent')).toEqual([transaction]);
    expect(table.of(callee.connection, 'received')).toEqual([transaction]);
    let expired = 0;
    table.arm(transaction, 1_000, () => expired++);
    table.arm(transaction, 2_000, () => expired++); // re-arming replaces the first timer
    clock.advance(1_999);
    expect(expired).toBe(0);
    clock.advance(1);
    expect(expired).toBe(1);
    table.forget(transaction);
    expect(table.get(transaction.branch)).toBeUndefined();
    expect(table.size).toBe(0);
    expect(phone.connection.serverTransactions.size).toBe(0);
    expect(table.admit(phone.connection, bye('z9hG4bK1')).kind).toBe('new');
  });
});
