import { createHash, hash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_CODES = Buffer.from(BASE62, 'latin1');

/** Uniform random base62 text (rejection sampling keeps every character equally likely). */
export const randomBase62 = (length: number): string => randomBase62Many(1, length)[0]!;

/**
 * `count` independent base62 strings of `length` from one draw of random bytes (topped up when
 * rejections eat into it): a batch of 1,000 passwords costs one call into the CSPRNG, not 1,000.
 * Bytes 248 and up are rejected so that every character is equally likely (248 = 4 × 62).
 */
export function randomBase62Many(count: number, length: number): string[] {
  // The characters are written as bytes and each string read off them once: a thousand passwords
  // built a character at a time made twenty thousand string pieces for the hashing to flatten.
  const text = Buffer.allocUnsafe(count * length);
  let filled = 0;
  while (filled < text.length) {
    // ~3% of bytes are rejected; a little slack means one draw nearly always suffices.
    const pool = randomBytes(Math.ceil((text.length - filled) * 1.05) + 16);
    for (let i = 0; i < pool.length && filled < text.length; i++) {
      const byte = pool[i]!;
      if (byte < 248) text[filled++] = BASE62_CODES[byte % 62]!;
    }
  }
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(text.toString('latin1', i * length, (i + 1) * length));
  return out;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A new API key secret: `hr_live_` and 32 base62 characters (~190 bits). */
export const newApiKeySecret = () => `hr_live_${randomBase62(32)}`;

const SIP_PASSWORD_LENGTH = 20;

/** A generated SIP password, long enough that digest brute force is pointless. */
export const newSipPassword = () => randomBase62(SIP_PASSWORD_LENGTH);

/** `count` generated SIP passwords at once (a batch create). */
export const newSipPasswords = (count: number) => randomBase62Many(count, SIP_PASSWORD_LENGTH);

/** RFC 2617 HA1 = MD5(username:realm:password); username is the extension number, realm the tenant SIP domain. */
// One-shot `hash` (Node >= 20.12): no Hash object per call, which a batch of 1,000 would make 1,000 of.
export const digestHa1 = (number: string, sipDomain: string, password: string) => hash('md5', `${number}:${sipDomain}:${password}`, 'hex');
