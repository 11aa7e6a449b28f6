import { describe, expect, test } from 'vitest';
import { DEFAULT_ICE_GATHERING_TIMEOUT_MS, PhoneConfigError, resolvePhoneConfig } from '../index';

const token = (payload: object) =>
  `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig+/=`;
const ACME_101 = { sub: 'sip:101@acme-dental.sip.localhost', ws: 'ws://127.0.0.1:4100/sip' };

describe('resolvePhoneConfig with a token', () => {
  test('connects to the ws claim with the token, URL-encoded, in the query', () => {
    const t = token(ACME_101);
    const config = resolvePhoneConfig({ token: t });
    // The token rides in the REGISTER (Authorization: Bearer), never in the URL proxies log.
    expect(config.wsUrl).toBe('ws://127.0.0.1:4100/sip');
    expect(config.bearerToken).toBe(t);
    expect(config).toMatchObject({ aor: 'sip:101@acme-dental.sip.localhost', domain: 'acme-dental.sip.localhost', user: '101' });
    expect(config.authorizationUsername).toBeUndefined();
    expect(config.authorizationPassword).toBeUndefined();
  });

  test('takes the display name from the name claim unless one is given', () => {
    const t = token({ ...ACME_101, name: 'Reception' });
    expect(resolvePhoneConfig({ token: t }).displayName).toBe('Reception');
    expect(resolvePhoneConfig({ token: t, displayName: 'Front desk' }).displayName).toBe('Front desk');
    expect(resolvePhoneConfig({ token: token(ACME_101) }).displayName).toBeUndefined();
  });

  test('an explicit server wins over the claim', () => {
    const t = token(ACME_101);
    expect(resolvePhoneConfig({ token: t, server: 'wss://pbx.example.com/sip' }).wsUrl).toBe('wss://pbx.example.com/sip');
  });

  test('reads the token expiry; a password phone carries no bearer token', () => {
    const t = token({ ...ACME_101, exp: 2_000_000_000 });
    expect(resolvePhoneConfig({ token: t }).tokenExpiresAt).toBe(2_000_000_000_000);
    expect(resolvePhoneConfig({ server: ACME_101.ws, extension: '101', domain: 'acme-dental.sip.localhost', password: 'pw' }).bearerToken).toBeUndefined();
  });

  test('a Kamailio token: every ws URL in order, and its digest credentials instead of the bearer', () => {
    const nodes = ['ws://127.0.0.1:5065/', 'ws://127.0.0.2:5065/'];
    const sip = { username: '2000000000:101.ext_1@acme-dental.sip.localhost', password: 'hmac=' };
    const config = resolvePhoneConfig({ token: token({ ...ACME_101, ws: nodes, sip }) });
    expect(config).toMatchObject({ wsUrl: nodes[0], wsUrls: nodes, authorizationUsername: sip.username, authorizationPassword: sip.password, aor: ACME_101.sub });
    expect(config.bearerToken).toBeUndefined();
    // One URL as a string (the embedded edge, and widgets of the first release) is a list of one.
    expect(resolvePhoneConfig({ token: token(ACME_101) }).wsUrls).toEqual([ACME_101.ws]);
    expect(resolvePhoneConfig({ token: token({ ...ACME_101, ws: nodes }), server: 'wss://pbx.example.com/' }).wsUrls).toEqual(['wss://pbx.example.com/']);
    expect(() => resolvePhoneConfig({ token: token({ ...ACME_101, ws: [nodes[0], 'https://x.example.com/'] }) })).toThrow(/ws:\/\/ or wss:\/\//);
  });

  test('needs a server from somewhere', () => {
    expect(() => resolvePhoneConfig({ token: token({ sub: ACME_101.sub }) })).toThrow(/server is required/);
  });
});

describe('resolvePhoneConfig with digest credentials', () => {
  const digest = { server: 'ws://127.0.0.1:4100/sip', domain: 'globex-law.sip.localhost', extension: '101', password: 's3cret' };

  test('registers sip:<extension>@<domain> with the extension as username', () => {
    const config = resolvePhoneConfig(digest);
    expect(config).toMatchObject({
      wsUrl: 'ws://127.0.0.1:4100/sip',
      aor: 'sip:101@globex-law.sip.localhost',
      domain: 'globex-law.sip.localhost',
      authorizationUsername: '101',
      authorizationPassword: 's3cret',
    });
  });

  test('says what is missing', () => {
    expect(() => resolvePhoneConfig({ ...digest, password: undefined })).toThrow(/token or a password/);
    expect(() => resolvePhoneConfig({ ...digest, domain: undefined })).toThrow(/extension and domain/);
    expect(() => resolvePhoneConfig({ ...digest, server: 'https://pbx.example.com/sip' })).toThrow(PhoneConfigError);
    expect(() => resolvePhoneConfig({ ...digest, aor: 'tel:+15550100' })).toThrow(/sip:<user>@<domain>/);
  });
});

describe('resolvePhoneConfig defaults', () => {
  const minimal = { token: token(ACME_101) };

  test('uses no ICE servers unless configured, never a public STUN server', () => {
    expect(resolvePhoneConfig(minimal).iceServers).toEqual([]);
    const turn = [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }];
    const config = resolvePhoneConfig({ ...minimal, iceServers: turn });
    expect(config.iceServers).toEqual(turn);
    expect(config.iceServers).not.toBe(turn);
  });

  test('waits only briefly for ICE candidates', () => {
    expect(resolvePhoneConfig(minimal).iceGatheringTimeout).toBe(DEFAULT_ICE_GATHERING_TIMEOUT_MS);
    expect(DEFAULT_ICE_GATHERING_TIMEOUT_MS).toBeLessThanOrEqual(1000);
    expect(resolvePhoneConfig({ ...minimal, iceGatheringTimeout: 0 }).iceGatheringTimeout).toBe(0);
    expect(() => resolvePhoneConfig({ ...minimal, iceGatheringTimeout: -1 })).toThrow(/iceGatheringTimeout/);
  });
});
