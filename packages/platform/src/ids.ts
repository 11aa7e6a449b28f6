import { randomBytes } from 'node:crypto';

/**
 * Prefixed, time-ordered ids (`ten_01JD8X3E5Q…`): 10 Crockford base32 characters of
 * milliseconds, then 16 of randomness, as in ULID. Ids made in the same millisecond increment the
 * random part, so lexical order is creation order within this process; cursors rely on it.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;

let lastTime = -1;
let lastRandom: number[] = [];
/** `lastRandom` as text, kept with it: an increment rewrites only the digits it changed. */
let lastRandomText = '';
/** `lastTime` encoded: ids made in the same millisecond (a batch's thousand) share it. */
let lastTimeText = '';

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return [...randomBytes(RANDOM_LENGTH)].map((b) => b % 32);
}

const textOf = (digits: readonly number[], from = 0) => {
  let out = '';
  for (let i = from; i < digits.length; i++) out += ALPHABET[digits[i]!];
  return out;
};

/**
 * Adds one to the base32 digits in place and returns the index of the highest digit it changed; a
 * carry out of the top digit (2^80 ids in one ms) cannot happen in practice.
 */
function increment(digits: number[]): number {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return i;
    }
    digits[i] = 0;
  }
  return 0;
}

export type IdPrefix = 'ten' | 'ext' | 'key' | 'res' | 'evt' | 'req' | 'cal' | 'num' | 'dlr' | 'rgp' | 'trk' | 'rol' | 'por' | 'pdc' | 'pcm' | 'pev' | 'whe' | 'whd' | 'exb';

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  if (now <= lastTime) {
    const changed = increment(lastRandom);
    lastRandomText = lastRandomText.slice(0, changed) + textOf(lastRandom, changed);
  } else {
    lastTime = now;
    lastTimeText = encodeTime(now);
    lastRandom = freshRandom();
    lastRandomText = textOf(lastRandom);
  }
  return `${prefix}_${lastTimeText}${lastRandomText}`;
}
