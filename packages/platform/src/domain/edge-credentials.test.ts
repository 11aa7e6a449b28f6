import { describe, expect, it } from 'vitest';
import { edgePassword, mintEdgeCredentials, signingKeyId } from './edge-credentials';

const SECRET = 'shared-with-kamailio';
const KEY = '0123456789abcdef';

describe('edge credentials (auth_ephemeral)', () => {
  it('signs the expiry, the extension, its signing key id and the tenant domain into the username', () => {
    const creds = mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', keyId: KEY, sipDomain: 'acme.sip.localhost', expiresAt: new Date('2026-12-01T03:00:00.900Z') });
    expect(creds.username).toBe('1796094000:101.ext_1.0123456789abcdef@acme.sip.localhost');
    expect(creds.expiresAt.toISOString()).toBe('2026-12-01T03:00:00.000Z');
    // The RFC 2104 HMAC-SHA1 of the username, base64, as auth_ephemeral computes it (checked with openssl:
    // printf %s '1796094000:101.ext_1.0123456789abcdef@acme.sip.localhost' | openssl dgst -sha1 -hmac shared-with-kamailio -binary | base64).
    expect(creds.password).toBe('wPxfdmu6TGQKVODquHQqcisN/44=');
    expect(edgePassword(SECRET, creds.username)).toBe(creds.password);
  });

  it("gives another tenant's same extension a different password", () => {
    const expiresAt = new Date('2026-12-01T03:00:00Z');
    const acme = mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', keyId: KEY, sipDomain: 'acme.sip.localhost', expiresAt });
    const globex = mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', keyId: KEY, sipDomain: 'globex.sip.localhost', expiresAt });
    expect(acme.password).not.toBe(globex.password);
    expect(mintEdgeCredentials('another-secret', { extension: '101', extensionId: 'ext_1', keyId: KEY, sipDomain: 'acme.sip.localhost', expiresAt }).password).not.toBe(acme.password);
  });

  it('refuses what would let a username smuggle a second domain or expiry', () => {
    const expiresAt = new Date();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101@globex.sip.localhost', extensionId: 'ext_1', keyId: KEY, sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '1:101', extensionId: 'ext_1', keyId: KEY, sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', keyId: KEY, sipDomain: 'acme.sip.localhost:5060', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1@globex.sip.localhost', keyId: KEY, sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', keyId: `${KEY}@globex.sip.localhost`, sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
  });

  it("names a signing seed by 16 hex digits that are not the seed (what migration 0026's view computes)", () => {
    // printf %s 'highrise-kamailio-key-id:seed' | sha256sum | cut -c1-16
    expect(signingKeyId('seed')).toBe('0e2b74adbfc2b2ad');
    expect(signingKeyId('seed2')).not.toBe(signingKeyId('seed'));
  });
});
