import { describe, expect, test } from 'vitest';
import { PhoneTargetError, targetToUri } from '../index';

const DOMAIN = 'acme-dental.sip.localhost';

describe('targetToUri', () => {
  test('dials a bare extension inside the own tenant domain', () => {
    expect(targetToUri('102', DOMAIN)).toBe('sip:102@acme-dental.sip.localhost');
    expect(targetToUri('  102 ', DOMAIN)).toBe('sip:102@acme-dental.sip.localhost');
  });

  test('drops the separators people type in phone numbers', () => {
    expect(targetToUri('+1 (555) 010-0199', DOMAIN)).toBe('sip:+15550100199@acme-dental.sip.localhost');
  });

  test('escapes # and keeps * for feature codes', () => {
    expect(targetToUri('*72#', DOMAIN)).toBe('sip:*72%23@acme-dental.sip.localhost');
  });

  test('takes user@host and sip: URIs as given', () => {
    expect(targetToUri('101@globex-law.sip.localhost', DOMAIN)).toBe('sip:101@globex-law.sip.localhost');
    expect(targetToUri('sip:101@globex-law.sip.localhost', DOMAIN)).toBe('sip:101@globex-law.sip.localhost');
    expect(targetToUri('sips:alice@example.com', DOMAIN)).toBe('sips:alice@example.com');
  });

  test('refuses empty or undiallable targets', () => {
    for (const bad of ['', '   ', '1 0 2 ; drop', 'a b@c', 'sip:nohost', '@host', '<script>']) {
      expect(() => targetToUri(bad, DOMAIN), JSON.stringify(bad)).toThrow(PhoneTargetError);
    }
  });
});
