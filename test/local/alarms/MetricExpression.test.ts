import { describe, expect, it } from 'vitest';
import { evaluateMetricExpression, expressionIds, parseMetricExpression, UnsupportedExpressionError } from '../../../local/alarms/MetricExpression';

const evaluate = (text: string, values: Record<string, number | undefined>): number | undefined => evaluateMetricExpression(parseMetricExpression(text), (id) => values[id]);

/** The expression PipelineMonitoring's percentOf writes for the late-event and duplicate rates. */
const PERCENT_OF = 'IF((FILL(part, 0) + FILL(rest, 0)) > 0, 100 * FILL(part, 0) / (FILL(part, 0) + FILL(rest, 0)), 0)';

describe('Function: evaluateMetricExpression', () => {
  it('computes the late-event rate in % from the two sums', () => {
    expect(evaluate(PERCENT_OF, { part: 2, rest: 98 })).toBe(2);
    expect(evaluate(PERCENT_OF, { part: 1, rest: 199 })).toBe(0.5);
  });

  it('is 0, not missing, when neither metric has a datapoint (FILL), so the alarm reads OK at rest', () => {
    expect(evaluate(PERCENT_OF, { part: undefined, rest: undefined })).toBe(0);
  });

  it('fills only the missing side: late events alone are 100 %', () => {
    expect(evaluate(PERCENT_OF, { part: 3, rest: undefined })).toBe(100);
  });

  it('honours precedence and parentheses: * and / before + and −, comparisons last', () => {
    expect(evaluate('1 + 2 * 3', {})).toBe(7);
    expect(evaluate('(1 + 2) * 3', {})).toBe(9);
    expect(evaluate('10 - 4 - 3', {})).toBe(3);
    expect(evaluate('12 / 4 / 3', {})).toBe(1);
    expect(evaluate('-m1 + 5', { m1: 2 })).toBe(3);
    expect(evaluate('m1 + 1 > m2 * 2', { m1: 4, m2: 2 })).toBe(1);
    expect(evaluate('m1 > 1 AND m2 < 1', { m1: 4, m2: 2 })).toBe(0);
  });

  it('has no datapoint where an operand has none, or for a division by zero', () => {
    expect(evaluate('m1 / (m1 + m2)', { m1: 1, m2: undefined })).toBeUndefined();
    expect(evaluate('m1 / m2', { m1: 1, m2: 0 })).toBeUndefined();
    expect(evaluate('IF(m1, 1, 2)', { m1: undefined })).toBeUndefined();
    expect(evaluate('IF(m1, 1, 2)', { m1: 0 })).toBe(2);
  });

  it('lists the ids it reads', () => {
    expect(new Set(expressionIds(parseMetricExpression(PERCENT_OF)))).toEqual(new Set(['part', 'rest']));
  });

  it('refuses what it does not evaluate, saying what', () => {
    expect(() => parseMetricExpression('ANOMALY_DETECTION_BAND(m1, 2)')).toThrow(new UnsupportedExpressionError('metric math function ANOMALY_DETECTION_BAND is not evaluated offline (IF, FILL and ABS are)'));
    expect(() => parseMetricExpression('FILL(m1, REPEAT)')).toThrow('FILL is evaluated offline with a number only');
    expect(() => parseMetricExpression('m1 +')).toThrow('ends too early');
    expect(() => parseMetricExpression('SEARCH(\'{AWS/Lambda} Errors\', \'Sum\')')).toThrow(UnsupportedExpressionError);
    expect(() => parseMetricExpression('(m1 + 1')).toThrow('expected ")"');
  });
});
