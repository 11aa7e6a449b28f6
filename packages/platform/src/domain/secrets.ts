import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform random base62 text (rejection sampling keeps every character equally likely). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A new API key secret: `hr_live_` and 32 base62 characters (~190 bits). */
export const newApiKeySecret = () => `hr_live_${randomBase62(32)}`;

/** A generated SIP password, long enough that digest brute force is pointless. */
export const newSipPassword = () => randomBase62(20);

/** RFC 2617 HA1 = MD5(username:realm:password); username is the extension number, realm the tenant SIP domain. */
export const digestHa1 = (number: string, sipDomain: string, password: string) =>
  createHash('md5').update(`${number}:${sipDomain}:${password}`).digest('hex');
