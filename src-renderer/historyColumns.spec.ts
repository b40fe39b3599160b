import { describe, expect, it } from 'vitest';
import { HISTORY_COLUMNS, numberFilterText, parseFilterValue, parseNumberFilter } from './historyColumns';
import { RunField } from '@shared/history/query';

describe('history number filters', () => {
  it.each([
    ['0.3', { op: 'eq', value: 0.3 }],
    ['=30', { op: 'eq', value: 30 }],
    ['< 0.25', { op: 'lt', value: 0.25 }],
    ['<=.5', { op: 'lte', value: 0.5 }],
    ['>-30', { op: 'gt', value: -30 }],
    ['>=1e-3', { op: 'gte', value: 0.001 }],
    ['!=2', { op: 'neq', value: 2 }],
    ['none', { op: 'isNull', value: null }],
  ])('reads %s', (text, clause) => {
    expect(parseNumberFilter(text)).toEqual(clause);
    expect(parseNumberFilter(numberFilterText(clause as never))).toEqual(clause);
  });

  it('treats empty text as no filter and explains anything else', () => {
    expect(parseNumberFilter('  ')).toBeNull();
    expect(parseNumberFilter('<<3')).toMatch(/not a number filter/);
    expect(parseNumberFilter('abc')).toMatch(/use a number/);
  });

  it('sorts and filters every column on a field the store accepts', () => {
    for (const c of HISTORY_COLUMNS) {
      expect(RunField.safeParse(c.sort).success, c.key).toBe(true);
      expect(RunField.safeParse(c.filter.field).success, c.key).toBe(true);
    }
  });
});

describe('config filter values', () => {
  it('are read as the config holds them', () => {
    expect(parseFilterValue(' ')).toBeNull();
    expect(parseFilterValue('true')).toBe(true);
    expect(parseFilterValue('false')).toBe(false);
    expect(parseFilterValue(' 0.001 ')).toBe(0.001);
    expect(parseFilterValue('-30')).toBe(-30);
    expect(parseFilterValue('masked-only')).toBe('masked-only');
  });
});
