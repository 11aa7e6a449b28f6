import { describe, expect, test } from 'vitest';
import { en, messagesFor, registerLocale, registrationProblem } from './messages';
import es from './locales/es';

describe('the message catalogue', () => {
  test('registration failures become sentences; the codes stay for events', () => {
    expect(en[registrationProblem({ reason: 'token_expired' })]).toBe('Session expired — reconnecting');
    expect(en[registrationProblem({ reason: '403 Forbidden', statusCode: 403 })]).toBe('Sign-in refused — check the credentials');
    expect(en[registrationProblem({ reason: '503 Service Unavailable', statusCode: 503 })]).toMatch(/busy — retrying/);
    expect(en[registrationProblem({ reason: 'connection_failed' })]).toMatch(/unreachable/);
    expect(en[registrationProblem({ reason: 'tenant_suspended' })]).toMatch(/suspended/);
  });

  test('Spanish translates every key, and a regional tag falls back to its language, then to English', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    registerLocale('es', es);
    expect(messagesFor('es-MX')?.busy).toBe('Ocupado');
    expect(messagesFor('xx')).toBeUndefined();
    registerLocale('xx', { busy: 'Xbusy' });
    expect(messagesFor('xx')).toMatchObject({ busy: 'Xbusy', not_found: 'Number not found' });
  });
});
