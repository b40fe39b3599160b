import type { MetricRecord } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { meanSd } from '@shared/experiments/aggregate';
import { computeAllMetrics } from '@shared/metrics';
import { pairedTTest } from '@shared/stats/pairedTest';

/**
 * What `npm run bench -- controls` reports about one Quick sweep on a control, computed
 * from the sweep's runs and the dataset's labels (no I/O here, so it is tested on its own):
 * per label count the two arms and two trivial predictors on the same validation segments,
 * paired tests of SSL against the baseline with Holm's correction, and the checks each
 * control is built to pass.
 */

export const SCOPES = ['overall', ...EMOTIONS] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Holm's step-down adjustment of a family of p-values (as R's p.adjust(method = "holm")).
 * Null p-values (a test that could not be computed) stay null and do not count in the family.
 * Kept here until the shared statistics module has its own.
 */
export function holm(pValues: readonly (number | null)[]): (number | null)[] {
  const ranked = pValues.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null).sort((a, b) => a.p - b.p);
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  ranked.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (ranked.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** One finished fine-tune or baseline of the sweep. */
export interface SweepRun {
  arm: 'ssl' | 'baseline';
  labelCount: number;
  repeat: number;
  metrics: MetricRecord[];
}

/** The labels a sweep's trivial predictors need: the validation segments', and each repeat's labelled sample. */
export interface SweepLabels {
  validation: number[][];
  /** labelCount -> repeat -> the labelled training segments' labels. */
  labelled: (labelCount: number, repeat: number) => number[][];
}

export type Row = 'ssl' | 'baseline' | 'always-absent' | 'label-mean';
export const ROW_NAMES: Record<Row, string> = { ssl: 'SSL', baseline: 'baseline', 'always-absent': 'always 0', 'label-mean': 'label mean' };

export interface Summary {
  acc4: { mean: number; sd: number | null };
  mae: { mean: number; sd: number | null };
  /** Binary-presence F1 per emotion, mean over repeats. */
  f1: number[];
}

export interface PairedRow {
  labelCount: number;
  scope: Scope;
  meanDifference: number;
  t: number | null;
  p: number | null;
  pHolm: number | null;
}

export interface ControlSweep {
  labelCounts: number[];
  repeats: number;
  rows: Record<number, Record<Row, Summary>>;
  /** SSL minus baseline in 4-class accuracy, paired over repeats; Holm across label counts x scopes. */
  tests: PairedRow[];
}

const value = (metrics: MetricRecord[], name: string, scope: Scope) => metrics.find((m) => m.name === name && m.scope === scope)?.value;

function summarise(perRepeat: Array<{ acc4: number; mae: number; f1: number[] }>): Summary {
  const acc4 = meanSd(perRepeat.map((r) => r.acc4));
  const mae = meanSd(perRepeat.map((r) => r.mae));
  return {
    acc4: { mean: acc4.mean, sd: acc4.sd },
    mae: { mean: mae.mean, sd: mae.sd },
    f1: EMOTIONS.map((_, e) => perRepeat.reduce((s, r) => s + r.f1[e], 0) / perRepeat.length),
  };
}

/** Metrics of predicting the same six values for every validation segment. */
function constantPrediction(validation: number[][], prediction: number[]) {
  const m = computeAllMetrics(validation, validation.map(() => prediction));
  return { acc4: m.acc4_overall, mae: m.mae_overall, f1: m.per_emotion.f1_binary };
}

export function analyseSweep(runs: readonly SweepRun[], labels: SweepLabels): ControlSweep {
  const labelCounts = [...new Set(runs.map((r) => r.labelCount))].sort((a, b) => a - b);
  const repeats = Math.max(...runs.map((r) => r.repeat)) + 1;
  const rows: ControlSweep['rows'] = {};
  const tests: PairedRow[] = [];
  for (const n of labelCounts) {
    const arm = (which: SweepRun['arm']) => runs.filter((r) => r.arm === which && r.labelCount === n).sort((a, b) => a.repeat - b.repeat);
    const armSummary = (which: SweepRun['arm']) =>
      summarise(arm(which).map((r) => ({ acc4: value(r.metrics, 'acc4', 'overall')!, mae: value(r.metrics, 'mae', 'overall')!, f1: EMOTIONS.map((e) => value(r.metrics, 'f1Binary', e)!) })));
    const repeatsOf = [...new Set(arm('ssl').map((r) => r.repeat))];
    const labelMean = repeatsOf.map((repeat) => {
      const sample = labels.labelled(n, repeat);
      return constantPrediction(labels.validation, EMOTIONS.map((_, e) => sample.reduce((s, y) => s + y[e], 0) / sample.length));
    });
    rows[n] = {
      ssl: armSummary('ssl'),
      baseline: armSummary('baseline'),
      'always-absent': summarise([constantPrediction(labels.validation, EMOTIONS.map(() => 0))]),
      'label-mean': summarise(labelMean),
    };
    for (const scope of SCOPES) {
      const pairs = arm('ssl').flatMap((ssl) => {
        const base = arm('baseline').find((b) => b.repeat === ssl.repeat);
        const a = value(ssl.metrics, 'acc4', scope);
        const b = base && value(base.metrics, 'acc4', scope);
        return a === undefined || b === undefined ? [] : [[a, b] as const];
      });
      const test = pairedTTest(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
      tests.push({ labelCount: n, scope, meanDifference: test.meanDifference, t: test.t, p: test.pValue, pHolm: null });
    }
  }
  holm(tests.map((t) => t.p)).forEach((p, i) => (tests[i].pHolm = p));
  return { labelCounts, repeats, rows, tests };
}

/** A check a control is built to pass, with the numbers behind it. */
export interface Check {
  holds: boolean;
  claim: string;
}

const best = (s: Record<Row, Summary>) => Math.max(s['always-absent'].acc4.mean, s['label-mean'].acc4.mean);
const fmt = (x: number) => x.toFixed(3);

/** The positive control's claims: SSL beats both trivial predictors and the baseline with few labels, the gap narrows, presence is found, the test sees it. */
export function positiveChecks(sweep: ControlSweep, alpha = 0.05): Check[] {
  const [smallest, second] = sweep.labelCounts;
  const largest = sweep.labelCounts.at(-1)!;
  const gap = (n: number) => sweep.rows[n].ssl.acc4.mean - sweep.rows[n].baseline.acc4.mean;
  const overall = (n: number) => sweep.tests.find((t) => t.labelCount === n && t.scope === 'overall')!;
  const f1Found = (n: number) => sweep.rows[n].ssl.f1.filter((f) => f > 0).length;
  return [
    ...sweep.labelCounts.map((n) => ({
      holds: sweep.rows[n].ssl.acc4.mean > best(sweep.rows[n]),
      claim: `${n} labels: SSL's 4-class accuracy ${fmt(sweep.rows[n].ssl.acc4.mean)} is above both trivial predictors (best ${fmt(best(sweep.rows[n]))})`,
    })),
    ...[smallest, second].map((n) => ({ holds: gap(n) > 0, claim: `${n} labels: SSL above the baseline by ${fmt(gap(n))}` })),
    {
      holds: Math.max(gap(smallest), gap(second)) > gap(largest),
      claim: `the gap narrows as labels grow: ${sweep.labelCounts.map((n) => `${n}: ${fmt(gap(n))}`).join(', ')}`,
    },
    ...sweep.labelCounts.map((n) => ({ holds: f1Found(n) >= 4, claim: `${n} labels: SSL's binary F1 is above 0 for ${f1Found(n)} of 6 emotions` })),
    ...[smallest, second].map((n) => ({
      holds: (overall(n).pHolm ?? 1) < alpha,
      claim: `${n} labels: paired test of overall 4-class accuracy significant after Holm (p ${overall(n).p?.toPrecision(2) ?? '—'}, Holm ${overall(n).pHolm?.toPrecision(2) ?? '—'})`,
    })),
  ];
}

/** The negative control's claims: no arm beats the trivial predictors, and no test survives Holm. */
export function negativeChecks(sweep: ControlSweep, alpha = 0.05): Check[] {
  const significant = sweep.tests.filter((t) => (t.pHolm ?? 1) < alpha);
  return [
    ...sweep.labelCounts.map((n) => {
      const r = sweep.rows[n];
      return {
        holds: r.ssl.acc4.mean <= best(r) && r.baseline.acc4.mean <= best(r),
        claim: `${n} labels: neither arm beats the trivial predictors (SSL ${fmt(r.ssl.acc4.mean)}, baseline ${fmt(r.baseline.acc4.mean)}, best trivial ${fmt(best(r))})`,
      };
    }),
    {
      holds: significant.length === 0,
      claim: `no SSL-vs-baseline test is significant after Holm across ${sweep.tests.length} (${significant.length ? significant.map((t) => `${t.labelCount} ${t.scope}`).join(', ') : 'none'}; smallest raw p ${Math.min(...sweep.tests.map((t) => t.p ?? 1)).toPrecision(2)})`,
    },
  ];
}

/**
 * What the negative control's SSL-vs-baseline differences are, in numbers: how far each arm is
 * from the labelled sample's mean (what a model that learned nothing predicts) at the smallest
 * and the largest label count.
 */
export function negativeReading(sweep: ControlSweep): string[] {
  const [first, last] = [sweep.labelCounts[0], sweep.labelCounts.at(-1)!];
  const row = (n: number) => sweep.rows[n];
  const off = (n: number, arm: 'ssl' | 'baseline') => row(n)[arm].acc4.mean - row(n)['label-mean'].acc4.mean;
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
  return [
    `  Against the labelled sample's mean (a model that learned nothing): SSL ${signed(off(first, 'ssl'))} at ${first} labels, ${signed(off(last, 'ssl'))} at ${last};`,
    `  the baseline ${signed(off(first, 'baseline'))} at ${first}, ${signed(off(last, 'baseline'))} at ${last}. Where SSL "beats" the baseline here, the baseline is fitting`,
    '  labels that carry nothing (more of them the more labels it trains on), not losing to something pre-training learned.',
  ];
}

const pm = (s: { mean: number; sd: number | null }, digits = 3) => `${s.mean.toFixed(digits)} ± ${s.sd === null ? '—' : s.sd.toFixed(digits)}`;
const SHORT = EMOTIONS.map((e) => e.slice(0, 4));

/** The sweep as printed lines: the table, the tests and the checks. */
export function formatSweep(sweep: ControlSweep, checks: Check[]): string[] {
  const lines = [`  ${'labels'.padEnd(7)}${'arm'.padEnd(12)}${'4-class acc'.padEnd(17)}${'MAE'.padEnd(17)}binary F1 (${SHORT.join(' ')})`];
  for (const n of sweep.labelCounts) {
    for (const row of ['ssl', 'baseline', 'always-absent', 'label-mean'] as const) {
      const s = sweep.rows[n][row];
      const trivial = row === 'always-absent';
      lines.push(`  ${String(n).padEnd(7)}${ROW_NAMES[row].padEnd(12)}${(trivial ? s.acc4.mean.toFixed(3) : pm(s.acc4)).padEnd(17)}${(trivial ? s.mae.mean.toFixed(3) : pm(s.mae)).padEnd(17)}${s.f1.map((f) => f.toFixed(2)).join(' ')}`);
    }
  }
  lines.push('', `  Paired t-tests of 4-class accuracy, SSL minus baseline over ${sweep.repeats} repeats; Holm across ${sweep.tests.length} tests (label counts x overall and 6 emotions)`);
  lines.push(`  ${'labels'.padEnd(7)}${'scope'.padEnd(11)}${'diff'.padEnd(9)}${'t'.padEnd(9)}${'p'.padEnd(10)}p (Holm)`);
  for (const t of sweep.tests) {
    const p = (x: number | null) => (x === null ? '—' : x < 0.001 ? x.toExponential(1) : x.toFixed(3));
    lines.push(`  ${String(t.labelCount).padEnd(7)}${t.scope.padEnd(11)}${(t.meanDifference >= 0 ? '+' : '') + t.meanDifference.toFixed(3)}${''.padEnd(2)}${(t.t === null ? '—' : t.t.toFixed(2)).padEnd(9)}${p(t.p).padEnd(10)}${p(t.pHolm)}${(t.pHolm ?? 1) < 0.05 ? ' *' : ''}`);
  }
  lines.push('', '  Checks:');
  for (const c of checks) lines.push(`  ${c.holds ? 'yes' : 'NO '}  ${c.claim}`);
  return lines;
}
