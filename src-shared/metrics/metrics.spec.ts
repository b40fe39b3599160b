import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../emotions';
import {
  computeAllMetrics,
  roundHalfUp,
  toFourClass,
} from './index';
import { fixture as fixturePath } from '../../test/fixturePaths';

/** Reference vectors computed with numpy / scikit-learn (see the fixture's `definitions` and `provenance`). */
interface ReferenceFixture {
  y: number[][];
  p: number[][];
  round4_y: number[][];
  round4_p: number[][];
  results: unknown;
}
const FIXTURE_PATH = fixturePath('reference/metrics_vectors.json');
const fixture: ReferenceFixture = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'));
const TOLERANCE = 1e-9;

/** Flattens nested objects and arrays into leaf paths such as `per_emotion.f1_binary[3]`. */
function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(value)) {
    value.forEach((v, i) => leaves(v, `${path}[${i}]`).forEach((leaf, key) => out.set(key, leaf)));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      leaves(v, path ? `${path}.${k}` : k).forEach((leaf, key) => out.set(key, leaf));
    }
  } else {
    out.set(path, value);
  }
  return out;
}

/** Groups leaf paths by their metric (the path without the trailing index), for one test per metric. */
function metricNames(paths: Iterable<string>): string[] {
  return [...new Set([...paths].map((p) => p.replace(/\[\d+\]$/, '')))];
}

describe('computeAllMetrics against the scikit-learn reference', () => {
  const expected = leaves(fixture.results);
  const actual = leaves(computeAllMetrics(fixture.y, fixture.p));

  it('returns exactly the keys (and list lengths) of the fixture, no more and no fewer', () => {
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  });

  it.each(metricNames(expected.keys()))('%s matches to 1e-9', (metric) => {
    const paths = [...expected.keys()].filter((p) => p === metric || p.startsWith(`${metric}[`));
    for (const path of paths) {
      const want = expected.get(path);
      const got = actual.get(path);
      expect(typeof want, `fixture value at ${path}`).toBe('number');
      expect(typeof got, `computed value at ${path}`).toBe('number');
      expect(Math.abs((got as number) - (want as number)), `${path}: got ${got}, want ${want}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('rounds every label and prediction to the fixture’s four-class values (incl. exact halves and out-of-range)', () => {
    expect(fixture.y.map((row) => row.map(toFourClass))).toEqual(fixture.round4_y);
    expect(fixture.p.map((row) => row.map(toFourClass))).toEqual(fixture.round4_p);
  });
});

describe('round half up and the four-class rule', () => {
  it.each([
    [0.5, 1],
    [1.49, 1],
    [2.5, 3],
    [-0.2, 0],
    [3.7, 3],
    [0, 0],
    [1 / 3, 0],
    [2 / 3, 1],
    [0.49999999999999994, 0],
    [-0.5, 0],
    [3.5, 3],
  ])('toFourClass(%s) = %s', (x, cls) => {
    expect(toFourClass(x)).toBe(cls);
  });

  it('rounds halves up, not to even or away from zero, before clipping', () => {
    expect(roundHalfUp(0.5)).toBe(1);
    expect(roundHalfUp(1.5)).toBe(2);
    expect(roundHalfUp(2.5)).toBe(3);
    expect(roundHalfUp(-1.5)).toBe(-1);
    expect(roundHalfUp(3.5)).toBe(4);
  });
});

describe('hand-computed cases', () => {
  const absent = [0, 0, 0, 0, 0, 0];

  it('scores a small set by hand', () => {
    // Happiness column only: labels 0, 1, 2, 3; predictions 0.2, 1.4, 1.5, 0.4.
    // four-class: y 0 1 2 3, p 0 1 2 0 -> 3 of 4 agree.
    // presence: y F T T T, p F T T F -> tp 2, tn 1, fp 0, fn 1.
    const y = [[0, ...absent.slice(1)], [1, ...absent.slice(1)], [2, ...absent.slice(1)], [3, ...absent.slice(1)]];
    const p = [[0.2, ...absent.slice(1)], [1.4, ...absent.slice(1)], [1.5, ...absent.slice(1)], [0.4, ...absent.slice(1)]];
    const m = computeAllMetrics(y, p);
    expect(m.mae_per_emotion[0]).toBeCloseTo((0.2 + 0.4 + 0.5 + 2.6) / 4, 12);
    expect(m.mae_overall).toBeCloseTo((0.2 + 0.4 + 0.5 + 2.6) / 24, 12);
    expect(m.acc4_per_emotion[0]).toBe(0.75);
    expect(m.acc4_overall).toBeCloseTo(23 / 24, 12);
    const e = m.per_emotion;
    expect([e.tp[0], e.tn[0], e.fp[0], e.fn[0], e.n_pos[0], e.n_neg[0]]).toEqual([2, 1, 0, 1, 3, 1]);
    expect(e.f1_binary[0]).toBeCloseTo(4 / 5, 12); // 2tp / (2tp + fp + fn)
    // absent F1 = 2/3 (support 1), present F1 = 4/5 (support 3)
    expect(e.f1_weighted[0]).toBeCloseTo((2 / 3 + 3 * (4 / 5)) / 4, 12);
    expect(e.weighted_accuracy[0]).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(e.binary_accuracy[0]).toBe(0.75);
    expect(e.f1_4class_micro[0]).toBe(0.75);
    // per class F1: 0 -> 2/3, 1 -> 1, 2 -> 1, 3 -> 0
    expect(e.f1_4class_macro[0]).toBeCloseTo((2 / 3 + 1 + 1 + 0) / 4, 12);
  });

  it('follows zero_division=0 when an emotion is absent from both labels and predictions', () => {
    const m = computeAllMetrics([absent, absent], [absent, absent]);
    const e = m.per_emotion;
    for (let j = 0; j < EMOTIONS.length; j++) {
      expect(e.f1_binary[j]).toBe(0); // presence: no tp, fp or fn
      expect(e.f1_weighted[j]).toBe(1); // only the absence class has support, and it is perfect
      expect(e.f1_4class_macro[j]).toBe(0.25); // classes 1..3 count as 0
      expect(e.f1_4class_micro[j]).toBe(1);
      expect(e.weighted_accuracy[j]).toBe(1); // balanced accuracy over the one class present
    }
  });

  it('gives weighted accuracy as the recall of the present class when labels hold one class', () => {
    const present = [1, 1, 1, 1, 1, 1];
    const m = computeAllMetrics([present, present], [present, absent]);
    expect(m.per_emotion.weighted_accuracy).toEqual(EMOTIONS.map(() => 0.5));
  });
});

describe('bad input', () => {
  const row = [0, 0, 0, 0, 0, 0];
  const rows = (n: number): number[][] => Array.from({ length: n }, () => [...row]);

  it('rejects mismatched lengths', () => {
    expect(() => computeAllMetrics(rows(3), rows(2))).toThrow(/labels have 3 rows but predictions have 2/);
  });
  it('rejects rows that do not hold six values', () => {
    const p = rows(3);
    p[1] = [0, 0, 0, 0, 0];
    expect(() => computeAllMetrics(rows(3), p)).toThrow(/prediction row 1 must hold 6 values .*got 5 values/);
  });
  it('rejects non-finite values and names row and column', () => {
    const p = rows(20);
    p[12][3] = Number.NaN;
    expect(() => computeAllMetrics(rows(20), p)).toThrow('prediction row 12 has a non-finite value NaN in column 3 (surprise)');
    const y = rows(20);
    y[0][5] = Number.POSITIVE_INFINITY;
    expect(() => computeAllMetrics(y, rows(20))).toThrow('label row 0 has a non-finite value Infinity in column 5 (fear)');
  });
  it('rejects empty input and non-numbers', () => {
    expect(() => computeAllMetrics([], [])).toThrow(/label matrix is empty/);
    const p: unknown = [[0, 0, '1', 0, 0, 0]];
    expect(() => computeAllMetrics([row], p as number[][])).toThrow(/prediction row 0 has a non-finite value "1" in column 2/);
  });
});

