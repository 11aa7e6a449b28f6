import { describe, expect, it } from 'vitest';
import { brandingSource, type BrandableElement } from './branding';

const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
const element = (fields: Partial<BrandableElement>) => fields as BrandableElement;

describe('brandingSource', () => {
  it('asks the platform behind the token’s WebSocket URL for the token’s SIP domain', () => {
    expect(brandingSource(element({ token: jwt({ sub: 'sip:101@acme.sip.localhost', ws: 'wss://pbx.example.com:8443/sip' }) }))).toEqual({
      origin: 'https://pbx.example.com:8443',
      domain: 'acme.sip.localhost',
    });
    expect(brandingSource(element({ token: jwt({ sub: 'sip:101@acme.sip.localhost', ws: 'ws://127.0.0.1:9/sip' }) }))?.origin).toBe('http://127.0.0.1:9');
  });

  it('asks the platform the token names (`api`) when the SIP edge is Kamailio, whatever the SIP URL', () => {
    const token = jwt({ sub: 'sip:101@acme.sip.localhost', ws: ['ws://127.0.0.1:5065/', 'ws://127.0.0.2:5065/'], api: 'http://127.0.0.1:8080' });
    expect(brandingSource(element({ token }))).toEqual({ origin: 'http://127.0.0.1:8080', domain: 'acme.sip.localhost' });
    expect(brandingSource(element({ token, server: 'ws://127.0.0.2:5065/' }))?.origin).toBe('http://127.0.0.1:8080');
    // Several URLs and no `api`: the first URL's origin.
    expect(brandingSource(element({ token: jwt({ sub: 'sip:101@acme.sip.localhost', ws: ['wss://a.example.com/sip', 'wss://b.example.com/sip'] }) }))?.origin).toBe('https://a.example.com');
  });

  it('prefers the page’s own server and domain, and gives up without both or with a token it cannot read', () => {
    expect(brandingSource(element({ server: 'wss://edge.example.com/sip', domain: 'globex.example.com' }))).toEqual({ origin: 'https://edge.example.com', domain: 'globex.example.com' });
    expect(brandingSource(element({ token: jwt({ sub: 'sip:101@acme.sip.localhost' }) }))).toBeUndefined();
    expect(brandingSource(element({ token: 'not-a-jwt' }))).toBeUndefined();
  });
});
