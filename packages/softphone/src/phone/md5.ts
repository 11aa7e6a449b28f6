// MD5 (RFC 1321) for SIP digest authentication, in the one-file bundle in place of sip.js's
// incremental ts-md5 copy (core/messages/md5.js), of which digest authentication only calls
// `Md5.hashStr`: the same digest in a loop instead of 64 unrolled steps, about 1.8 KiB gz less.
// See scripts/bundle-plugins.mjs.

// Per-round left rotations, and the constants floor(|sin(i + 1)| × 2^32): any sine accurate to
// an ulp gives the RFC's table (checked against node:crypto in md5.test.ts).
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));

/** Hex MD5 of the UTF-8 bytes of `text` (a lone surrogate counts as U+FFFD). */
export function md5(text: string): string {
  const bytes = new TextEncoder().encode(text);
  // Padding: 0x80, zeros, then the length in bits, to a whole number of 64-byte blocks.
  const x = new Uint32Array((((bytes.length + 8) >> 6) + 1) * 16);
  const x8 = new Uint8Array(x.buffer);
  x8.set(bytes);
  x8[bytes.length] = 0x80;
  x[x.length - 2] = bytes.length * 8;
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let o = 0; o < x.length; o += 16) {
    let [a, b, c, d] = h as [number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const r = i >> 4;
      const f = r < 1 ? (b & c) | (~b & d) : r < 2 ? (d & b) | (~d & c) : r < 3 ? b ^ c ^ d : c ^ (b | ~d);
      const t = a + f + K[i]! + x[o + ([i, 5 * i + 1, 3 * i + 5, 7 * i][r]! & 15)]!;
      const s = S[(r << 2) | (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
    }
    [a, b, c, d].forEach((v, j) => (h[j] = (h[j]! + v) | 0));
  }
  return Array.from(new Uint8Array(Int32Array.from(h).buffer), (v) => v.toString(16).padStart(2, '0')).join('');
}

/** sip.js's interface (`Md5.hashStr`), for the bundle's stand-in module. */
export const Md5 = { hashStr: md5 };
