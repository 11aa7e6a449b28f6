import { describe, expect, it } from 'vitest';
import type { DialRuleRow } from '../../store/types';
import { compileDialPlan } from './compiled-plan';

const rules = (...patterns: string[]): DialRuleRow[] =>
  patterns.map((pattern, position) => ({
    id: `dlr_${position}`,
    tenantId: 'ten_1',
    name: pattern,
    pattern,
    position,
    action: { type: 'reject', status: 403, reason: null },
    createdAt: '',
    updatedAt: '',
  }));

describe('compileDialPlan', () => {
  it('answers with the first rule by position, whether exact or wildcard comes first', () => {
    expect(compileDialPlan(rules('_1XX', '101')).firstMatch('101')?.id).toBe('dlr_0');
    expect(compileDialPlan(rules('101', '_1XX')).firstMatch('101')?.id).toBe('dlr_0');
    expect(compileDialPlan(rules('_2XX', '101', '_1XX')).firstMatch('101')?.id).toBe('dlr_1');
    expect(compileDialPlan(rules('_2XX', '101', '_1XX')).firstMatch('150')?.id).toBe('dlr_2');
  });

  it('keeps the earlier of two rules with the same exact number', () => {
    expect(compileDialPlan(rules('911', '911')).firstMatch('911')?.id).toBe('dlr_0');
  });

  it('matches whole strings only and answers undefined when nothing matches', () => {
    const plan = compileDialPlan(rules('_1XX', '911'));
    expect(plan.firstMatch('1000')).toBeUndefined();
    expect(plan.firstMatch('91')).toBeUndefined();
  });

  it('skips a stored pattern that no longer compiles and keeps the others', () => {
    const plan = compileDialPlan(rules('_1X]', '_1XX'));
    expect(plan.size).toBe(1);
    expect(plan.firstMatch('123')?.id).toBe('dlr_1');
  });
});
