import { describe, expect, it } from 'vitest';
import { edgePassword, mintEdgeCredentials } from './edge-credentials';

const SECRET = 'shared-with-kamailio';

describe('edge credentials (auth_ephemeral)', () => {
  it('signs the expiry, the extension and the tenant domain into the username', () => {
    const creds = mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', sipDomain: 'acme.sip.localhost', expiresAt: new Date('2026-12-01T03:00:00.900Z') });
    expect(creds.username).toBe('1796094000:101.ext_1@acme.sip.localhost');
    expect(creds.expiresAt.toISOString()).toBe('2026-12-01T03:00:00.000Z');
    // The RFC 2104 HMAC-SHA1 of the username, base64, as auth_ephemeral computes it (checked with openssl:
    // printf %s '1796094000:101.ext_1@acme.sip.localhost' | openssl dgst -sha1 -hmac shared-with-kamailio -binary | base64).
    expect(creds.password).toBe('u/syCGpKKxSjSwsVDrWfoxzm+Bc=');
    expect(edgePassword(SECRET, creds.username)).toBe(creds.password);
  });

  it("gives another tenant's same extension a different password", () => {
    const expiresAt = new Date('2026-12-01T03:00:00Z');
    const acme = mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', sipDomain: 'acme.sip.localhost', expiresAt });
    const globex = mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', sipDomain: 'globex.sip.localhost', expiresAt });
    expect(acme.password).not.toBe(globex.password);
    expect(mintEdgeCredentials('another-secret', { extension: '101', extensionId: 'ext_1', sipDomain: 'acme.sip.localhost', expiresAt }).password).not.toBe(acme.password);
  });

  it('refuses what would let a username smuggle a second domain or expiry', () => {
    const expiresAt = new Date();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101@globex.sip.localhost', extensionId: 'ext_1', sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '1:101', extensionId: 'ext_1', sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1', sipDomain: 'acme.sip.localhost:5060', expiresAt })).toThrow();
    expect(() => mintEdgeCredentials(SECRET, { extension: '101', extensionId: 'ext_1@globex.sip.localhost', sipDomain: 'acme.sip.localhost', expiresAt })).toThrow();
  });
});
