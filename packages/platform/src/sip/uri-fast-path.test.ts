import { Grammar } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { parsePlainUri, parseUri } from './header-values';

/** Everything the edge reads from a URI, and how it writes it back out. */
const view = (uri: ReturnType<typeof parseUri>) =>
  uri && { scheme: uri.scheme, user: uri.user, host: uri.host, port: uri.port, aor: uri.aor, text: uri.toString(), raw: uri.toRaw(), params: uri.parameters };

describe('the plain-URI fast path', () => {
  const samples = [
    'sip:101@acme.sip.localhost',
    'sip:101@Acme.SIP.localhost',
    'sips:101@acme.sip.localhost:5061',
    'sip:acme.sip.localhost',
    'sip:r@raw.invalid;transport=ws',
    'sip:r@raw.invalid;transport=WS;lr',
    'sip:abc123@k1j2h3.invalid;transport=ws;ob',
    'sip:edge-1a2b.invalid;transport=ws;lr',
    'sip:101@127.0.0.1:8080;transport=tcp;user=Phone',
    'sip:+15551234567@example.com;user=phone',
    "sip:a!b~c*d'e(f)g&h=i+j$k,l?m/n@example.com",
    'sip:10000-3f2a@bench.invalid;transport=ws',
  ];

  it.each(samples)('reads %s exactly as the sip.js grammar does', (text) => {
    expect(parsePlainUri(text), 'taken by the fast path').toBeDefined();
    expect(view(parseUri(text))).toEqual(view(Grammar.URIParse(text)));
  });

  it.each(['SIP:101@acme.sip.localhost', 'sip:alice@example.com;maddr=10.0.0.1;x=Y', 'sip:101@[::1]', 'sip:10%31@example.com', 'sip:101@example.com?subject=x', 'sip:101@example.com;a=1;a=2', 'tel:+15551234567'])(
    'leaves %s to the grammar',
    (text) => {
      expect(parsePlainUri(text)).toBeUndefined();
      expect(view(parseUri(text))).toEqual(view(Grammar.URIParse(text)));
    },
  );

  it('refuses what the grammar refuses', () => {
    for (const text of ['sip:', 'sip:@example.com', 'sip:101@', 'sip:101@exa mple.com', 'sip:101@example.com:99999', 'sip:101@-bad-.com']) {
      expect(parseUri(text) === undefined, text).toBe(Grammar.URIParse(text) === undefined);
    }
  });
});
