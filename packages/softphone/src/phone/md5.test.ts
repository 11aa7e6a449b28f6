import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Md5 as SipJsMd5 } from 'sip.js/lib/core/messages/md5.js';
import { md5 } from './md5';

describe('md5 (the bundle stand-in for sip.js Md5.hashStr)', () => {
  const inputs = [
    '',
    'a',
    'abc',
    '102:acme-dental.sip.localhost:s3cret',
    'REGISTER:sip:acme-dental.sip.localhost',
    'ñandú — 電話 😀',
    ...[55, 56, 57, 63, 64, 65, 119, 120, 128, 1000].map((n) => 'x'.repeat(n)),
    'é'.repeat(40),
  ];
  test.each(inputs)('matches node:crypto and sip.js for %j', (text) => {
    const expected = createHash('md5').update(text, 'utf8').digest('hex');
    expect(md5(text)).toBe(expected);
    expect(SipJsMd5.hashStr(text)).toBe(expected);
  });
});
