import { describe, expect, it } from 'vitest';
import { parseFrame } from './framing';
import { MAX_URI_LENGTH, parseContacts, parseDigestCredentials, parseNameAddr, uriCacheStats } from './header-values';
import { header, headers, serialize, type SipRequest } from './message';

const frame = (lines: string[], body = '') => Buffer.from([...lines, '', body].join('\r\n'));
const minimal = [
  'INVITE sip:101@acme.sip.localhost SIP/2.0',
  'v: SIP/2.0/WS a.invalid;branch=z9hG4bK1, SIP/2.0/WS b.invalid;branch=z9hG4bK2',
  'f: <sip:102@acme.sip.localhost>;tag=x',
  't: <sip:101@acme.sip.localhost>',
  'i: call-1',
  'CSeq: 1 INVITE',
  'Subject: long',
  '  folded',
];

describe('parseFrame', () => {
  it('expands compact names, unfolds lines and splits list headers', () => {
    const result = parseFrame(frame([...minimal, 'l: 0'], ''));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(headers(result.message, 'via')).toEqual(['SIP/2.0/WS a.invalid;branch=z9hG4bK1', 'SIP/2.0/WS b.invalid;branch=z9hG4bK2']);
    expect(header(result.message, 'call-id')).toBe('call-1');
    expect(header(result.message, 'subject')).toBe('long folded');
  });

  it('frames the body by bytes', () => {
    const body = 'é€';
    expect(parseFrame(frame([...minimal, `Content-Length: ${Buffer.byteLength(body)}`], body)).ok).toBe(true);
    const wrong = parseFrame(frame([...minimal, `Content-Length: ${body.length}`], body));
    expect(wrong).toMatchObject({ ok: false, status: 400, problem: 'bad content-length' });
  });

  it('reports a missing header with the request so a 400 can be sent', () => {
    const result = parseFrame(frame(minimal.filter((l) => !l.startsWith('i:'))));
    expect(result).toMatchObject({ ok: false, status: 400, problem: 'missing call-id', request: { method: 'INVITE' } });
  });

  it('answers 414 to a Request-URI past the length cap, without parsing (or caching) it', () => {
    const before = uriCacheStats();
    const long = minimal.map((line, i) => (i === 0 ? `INVITE sip:${'9'.repeat(MAX_URI_LENGTH)}@acme.sip.localhost SIP/2.0` : line));
    const result = parseFrame(frame([...long, 'l: 0']));
    expect(result).toMatchObject({ ok: false, status: 414, problem: 'request-uri too long' });
    expect(result.ok === false && result.request?.method).toBe('INVITE');
    expect(uriCacheStats()).toEqual(before);
  });

  it('cannot answer a frame without a Via or a start line', () => {
    for (const bad of [frame(minimal.filter((l) => !l.startsWith('v:'))), Buffer.from([0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])]) {
      const result = parseFrame(bad);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.request).toBeUndefined();
    }
  });

  it('round-trips through serialize with a recomputed Content-Length', () => {
    const result = parseFrame(frame([...minimal, 'Content-Length: 3'], 'abc'));
    if (!result.ok) throw new Error(result.problem);
    const again = parseFrame(serialize(result.message));
    expect(again.ok && (again.message as SipRequest).body.toString()).toBe('abc');
  });
});

describe('header values', () => {
  it('parses Contact: * which the sip.js grammar rejects', () => {
    expect(parseContacts(['*'])).toBe('*');
    const contacts = parseContacts(['<sip:a@b.invalid;transport=ws>;expires=60']);
    expect(contacts !== '*' && contacts?.map((c) => [c.uri.toString(), c.expires])).toEqual([['sip:a@b.invalid;transport=ws', 60]]);
  });

  it('parses name-addr with and without angle brackets, keeping header and URI parameters apart', () => {
    const quoted = parseNameAddr('"Dr. Müller, DDS" <sip:101@acme.sip.localhost;transport=ws>;tag=abc;lr');
    expect([quoted?.uri.user, quoted?.uri.getParam('transport'), quoted?.params]).toEqual(['101', 'ws', { tag: 'abc', lr: null }]);
    const bare = parseNameAddr('sip:102@acme.sip.localhost;tag=xyz');
    expect([bare?.uri.toString(), bare?.params.tag]).toEqual(['sip:102@acme.sip.localhost', 'xyz']);
    for (const bad of ['<sip:101@acme', 'Bob <http//x>', 'Bob "x" <sip:a@b>', '<sip:a@b>;=x', '<sip:a@b> junk']) expect(parseNameAddr(bad)).toBeUndefined();
  });

  it('parses digest credentials, which sip.js has no rule for', () => {
    expect(parseDigestCredentials('Digest username="101", realm="a.b", nonce="n.1", uri="sip:a.b", response="ff", qop=auth, nc=00000001, cnonce="c"')).toEqual({
      username: '101',
      realm: 'a.b',
      nonce: 'n.1',
      uri: 'sip:a.b',
      response: 'ff',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c',
    });
    expect(parseDigestCredentials('Basic abc')).toBeUndefined();
    expect(parseDigestCredentials('Digest username="101" junk')).toBeUndefined();
  });
});
