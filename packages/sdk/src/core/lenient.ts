import type { z } from 'zod';

/**
 * Whether a response issue is one a newer platform may cause without anything being wrong for
 * code written against this SDK: an enum value or literal it does not know yet, an id in a new
 * format, a bound that was raised, a union member it has never seen. A missing field or a value of
 * the wrong type is not: the caller's code would break on it, so that still fails.
 */
export function isForwardCompatible(issue: z.core.$ZodIssue): boolean {
  switch (issue.code) {
    case 'invalid_type':
      return false;
    case 'invalid_union':
      // No branch matched: fine when some branch failed only in ways a newer platform explains
      // (or when a discriminated union met a discriminator it does not know: no branch errors).
      return issue.errors.length === 0 || issue.errors.some((branch) => branch.every(isForwardCompatible));
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.every(isForwardCompatible);
    default:
      return true;
  }
}
