import type { DialRuleRow } from '../../store/types';
import { compilePattern, type CompiledPattern } from './pattern';

/** A tenant's dial rules, compiled once and asked many times: "which rule answers to this string?" */
export interface CompiledDialPlan {
  /** The first rule, by position, whose pattern matches the whole dialled string. */
  firstMatch(dialled: string): DialRuleRow | undefined;
  /** How many rules the plan holds (those whose pattern compiled). */
  readonly size: number;
}

interface Compiled {
  /** Index in position order: the smaller wins. */
  order: number;
  rule: DialRuleRow;
}

/**
 * Compiles rules given in position order. Exact numbers (`911`, `+14155550100`) go into a map, so
 * the common case costs one lookup however many there are; wildcard patterns are walked in order,
 * and only those placed before the exact hit (if any) can beat it.
 */
function compiledOrSkipped(source: string): CompiledPattern | undefined {
  try {
    return compilePattern(source);
  } catch {
    // Checked when saved; one that no longer compiles (a stricter release) is skipped, not fatal.
    return undefined;
  }
}

export function compileDialPlan(rulesInOrder: readonly DialRuleRow[]): CompiledDialPlan {
  const exact = new Map<string, Compiled>();
  const wildcards: (Compiled & { pattern: CompiledPattern })[] = [];
  rulesInOrder.forEach((rule, order) => {
    const pattern = compiledOrSkipped(rule.pattern);
    if (!pattern) return;
    if (!pattern.exact) wildcards.push({ order, rule, pattern });
    else if (!exact.has(pattern.source)) exact.set(pattern.source, { order, rule });
  });
  return {
    size: exact.size + wildcards.length,
    firstMatch(dialled) {
      const hit = exact.get(dialled);
      const before = hit?.order ?? Infinity;
      for (const w of wildcards) {
        if (w.order > before) break;
        if (w.pattern.matches(dialled)) return w.rule;
      }
      return hit?.rule;
    },
  };
}
