import { describe, expect, it } from 'vitest';
import { compilePattern, PatternSyntaxError } from './pattern';

const matches = (pattern: string, dialled: string) => compilePattern(pattern).matches(dialled);

function syntaxError(pattern: string): PatternSyntaxError {
  try {
    compilePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(PatternSyntaxError);
    return error as PatternSyntaxError;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

describe('exact patterns', () => {
  it('match only the same string', () => {
    expect(matches('101', '101')).toBe(true);
    expect(matches('101', '1010')).toBe(false);
    expect(matches('101', '10')).toBe(false);
    expect(matches('+14155550100', '+14155550100')).toBe(true);
    expect(matches('*97', '*97')).toBe(true);
  });

  it('treat X, N and dots as errors rather than wildcards without the leading _', () => {
    expect(syntaxError('1XX').issue).toMatch(/^unexpected 'X' at 2/);
    expect(syntaxError('9.').position).toBe(2);
  });
});

describe('wildcard patterns', () => {
  it('X is any digit, Z 1-9, N 2-9', () => {
    expect(matches('_1XX', '100')).toBe(true);
    expect(matches('_1XX', '199')).toBe(true);
    expect(matches('_1XX', '200')).toBe(false);
    expect(matches('_1XX', '10')).toBe(false);
    expect(matches('_1XX', '1000')).toBe(false);
    expect(matches('_Z', '0')).toBe(false);
    expect(matches('_Z', '1')).toBe(true);
    expect(matches('_N', '1')).toBe(false);
    expect(matches('_N', '2')).toBe(true);
    expect(matches('_NXXNXXXXXX', '4155550100')).toBe(true);
    expect(matches('_NXXNXXXXXX', '1155550100')).toBe(false);
    expect(matches('_NXXNXXXXXX', '4151550100')).toBe(false);
  });

  it('accepts lower-case x, z and n as Asterisk does', () => {
    expect(matches('_1xx', '123')).toBe(true);
    expect(matches('_n', '5')).toBe(true);
  });

  it('sets list digits and ranges', () => {
    expect(matches('_[1-5]X', '30')).toBe(true);
    expect(matches('_[1-5]X', '60')).toBe(false);
    expect(matches('_[13579]', '7')).toBe(true);
    expect(matches('_[13579]', '8')).toBe(false);
    expect(matches('_[0-35-9]', '4')).toBe(false);
    expect(matches('_[0-35-9]', '5')).toBe(true);
    expect(matches('_[*#]', '#')).toBe(true);
  });

  it("'.' needs at least one more character, '!' none", () => {
    expect(matches('_9.', '9')).toBe(false);
    expect(matches('_9.', '91')).toBe(true);
    expect(matches('_9.', '914155550100')).toBe(true);
    expect(matches('_9.', '814155550100')).toBe(false);
    expect(matches('_9!', '9')).toBe(true);
    expect(matches('_9!', '9123')).toBe(true);
    expect(matches('_.', '')).toBe(false);
    expect(matches('_!', '')).toBe(true);
  });

  it('matches the whole dialled string, never a prefix or a suffix', () => {
    expect(matches('_1XX', 'x100')).toBe(false);
    expect(matches('_1XX', '100x')).toBe(false);
  });

  it('treats regular-expression syntax in a dialled string as plain characters', () => {
    expect(matches('_X.', '1.*')).toBe(true);
    expect(matches('_XX', '.*')).toBe(false);
    expect(matches('_1XX', '1(?')).toBe(false);
  });
});

describe('syntax errors point at the character', () => {
  it.each([
    ['_12]3', "unexpected ']' at 4", 4],
    ['_1[23', "unclosed '[' at 3", 3],
    ['_1[]', "empty set '[]' at 3", 3],
    ['_9.1', "unexpected '1' at 4", 4],
    ['_9!X', "unexpected 'X' at 4", 4],
    ['_1(2)', "unexpected '(' at 3", 3],
    ['_[1-]', "unexpected '-' at 4", 4],
    ['_[-1]', "unexpected '-' at 3", 3],
    ['_[a]', "unexpected 'a' at 3", 3],
    ['_', "pattern is empty after '_' at 2", 2],
    ['', 'pattern is empty at 1', 1],
    ['10a', "unexpected 'a' at 3", 3],
  ])('%s → %s', (pattern, issue, position) => {
    const error = syntaxError(pattern);
    expect(error.issue.startsWith(issue)).toBe(true);
    expect(error.position).toBe(position);
  });

  it('rejects a backwards range', () => {
    expect(syntaxError('_[5-1]').issue).toMatch(/runs backwards/);
  });

  it('rejects an over-long pattern', () => {
    expect(syntaxError(`_${'X'.repeat(80)}`).position).toBe(65);
  });
});
