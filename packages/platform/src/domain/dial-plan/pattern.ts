/**
 * Dial patterns in the PBX convention (Asterisk, FreeSWITCH's XML dialplan, Kazoo's callflows):
 *
 * - without a leading `_` the pattern is an exact number (`101`, `911`, `+14155550100`);
 * - with a leading `_` each character matches one dialled character: a literal digit, `*`, `#` or
 *   `+`; `X` any of 0-9; `Z` 1-9; `N` 2-9; a set `[1-5]` / `[13579]` / `[0-35-9]`;
 *   and at the very end `.` (one or more of anything) or `!` (zero or more of anything).
 *
 * A pattern compiles to a list of character classes, never to a RegExp, so nothing a tenant writes
 * can change the shape of a regular expression or make matching slower than linear.
 * Positions in errors are 1-based character columns of the whole pattern, `_` included.
 */

export class PatternSyntaxError extends Error {
  constructor(
    /** What is wrong, ending with `at <position>`: `unexpected ']' at 4`. */
    readonly issue: string,
    /** 1-based column of the offending character; pattern length + 1 for "ended too early". */
    readonly position: number,
  ) {
    super(issue);
    this.name = 'PatternSyntaxError';
  }
}

/** One dialled character: the set of characters allowed there. */
type CharClass = ReadonlySet<string>;

export interface CompiledPattern {
  readonly source: string;
  readonly exact: boolean;
  /** Whether the whole dialled string matches (never a prefix match). */
  matches(dialled: string): boolean;
}

export const MAX_PATTERN_LENGTH = 64;

const LITERALS = '0123456789*#+';
/** One bit per literal, by char code; 0 for every other character (which no class holds). */
const LITERAL_BIT = Int32Array.from({ length: 128 }, (_, code) => {
  const i = LITERALS.indexOf(String.fromCharCode(code));
  return i < 0 ? 0 : 1 << i;
});
const digits = (from: number, to: number): CharClass => new Set(Array.from({ length: to - from + 1 }, (_, i) => String(from + i)));
const NAMED: Record<string, CharClass> = { X: digits(0, 9), Z: digits(1, 9), N: digits(2, 9) };

const quote = (ch: string) => `'${ch}'`;

function compileExact(pattern: string): CompiledPattern {
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (!LITERALS.includes(ch)) {
      throw new PatternSyntaxError(`unexpected ${quote(ch)} at ${i + 1} (an exact number has only digits, *, # and +; start with _ for a pattern)`, i + 1);
    }
  }
  return { source: pattern, exact: true, matches: (dialled) => dialled === pattern };
}

/** Parses `[...]` starting at index `open` (the `[`); returns the class and the index after `]`. */
function parseSet(pattern: string, open: number): { cls: CharClass; next: number } {
  const members = new Set<string>();
  let i = open + 1;
  while (i < pattern.length && pattern[i] !== ']') {
    const ch = pattern[i]!;
    if (ch === '-') {
      const prev = pattern[i - 1]!;
      const after = pattern[i + 1];
      if (i === open + 1 || after === undefined || after === ']' || !/[0-9]/.test(prev) || !/[0-9]/.test(after)) {
        throw new PatternSyntaxError(`unexpected '-' at ${i + 1} (a range is digit-digit, as in [1-5])`, i + 1);
      }
      if (after < prev) throw new PatternSyntaxError(`range ${prev}-${after} at ${i} runs backwards`, i);
      for (const d of digits(Number(prev), Number(after))) members.add(d);
      i += 2;
      continue;
    }
    if (!LITERALS.includes(ch)) throw new PatternSyntaxError(`unexpected ${quote(ch)} at ${i + 1} (a set holds digits, *, #, + and ranges)`, i + 1);
    members.add(ch);
    i++;
  }
  if (i >= pattern.length) throw new PatternSyntaxError(`unclosed '[' at ${open + 1}`, open + 1);
  if (members.size === 0) throw new PatternSyntaxError(`empty set '[]' at ${open + 1}`, open + 1);
  return { cls: members, next: i + 1 };
}

function compileWildcard(pattern: string): CompiledPattern {
  const classes: CharClass[] = [];
  /** `min` extra characters of anything after the classes; Infinity-bounded tail when set. */
  let tail: { min: 0 | 1 } | undefined;
  let i = 1;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    const upper = ch.toUpperCase();
    if (tail) throw new PatternSyntaxError(`unexpected ${quote(ch)} at ${i + 1} ('.' and '!' may only end a pattern)`, i + 1);
    if (ch === '[') {
      const { cls, next } = parseSet(pattern, i);
      classes.push(cls);
      i = next;
      continue;
    }
    if (ch === '.' || ch === '!') tail = { min: ch === '.' ? 1 : 0 };
    else if (NAMED[upper]) classes.push(NAMED[upper]);
    else if (LITERALS.includes(ch)) classes.push(new Set([ch]));
    else throw new PatternSyntaxError(`unexpected ${quote(ch)} at ${i + 1}`, i + 1);
    i++;
  }
  if (classes.length === 0 && !tail) throw new PatternSyntaxError(`pattern is empty after '_' at ${pattern.length + 1}`, pattern.length + 1);

  // The edge runs `matches` for every wildcard rule of the tenant on every call: each class becomes
  // a bit mask over LITERALS, so a position costs one table read and one AND.
  const masks = Int32Array.from(classes, (cls) => [...cls].reduce((mask, ch) => mask | LITERAL_BIT[ch.charCodeAt(0)]!, 0));
  const minLength = classes.length + (tail?.min ?? 0);
  return {
    source: pattern,
    exact: false,
    matches(dialled) {
      if (tail ? dialled.length < minLength : dialled.length !== classes.length) return false;
      for (let k = 0; k < masks.length; k++) if (((LITERAL_BIT[dialled.charCodeAt(k)] ?? 0) & masks[k]!) === 0) return false;
      return true;
    },
  };
}

/** Compiles a pattern or throws `PatternSyntaxError` naming the character position. */
export function compilePattern(pattern: string): CompiledPattern {
  if (pattern.length === 0) throw new PatternSyntaxError('pattern is empty at 1', 1);
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternSyntaxError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters at ${MAX_PATTERN_LENGTH + 1}`, MAX_PATTERN_LENGTH + 1);
  return pattern.startsWith('_') ? compileWildcard(pattern) : compileExact(pattern);
}
