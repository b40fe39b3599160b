import type { ExperimentPoint, ExperimentResults, MeanSd } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { accuracyGap, bestReference, experimentConclusions, flaggedPerEmotion, gapNarrows } from '@shared/experiments/conclusions';
import { formatSigned } from '@shared/figures/sweepSeries';

/**
 * What `npm run bench -- controls` reports about one Quick sweep on a control, from the
 * experiment's results as every view gets them (its split, its reference predictors, flags and
 * Holm-corrected tests: no statistics of its own), with no I/O so it is tested on its own: the
 * table, the tests, the flags, the plain-words conclusions and the checks each control is
 * built to pass.
 */

/** A check a control is built to pass, with the numbers behind it. */
export interface Check {
  holds: boolean;
  claim: string;
}

const ALPHA = 0.05;
const fmt = (x: number) => x.toFixed(3);
const acc4 = (p: ExperimentPoint) => p.metrics.acc4.overall.mean;
const labelCounts = (r: ExperimentResults) => r.ssl.map((p) => p.labelCount).sort((a, b) => a - b);
const at = (points: ExperimentPoint[], n: number) => {
  const point = points.find((p) => p.labelCount === n);
  if (!point) throw new Error(`No results at ${n} labels.`);
  return point;
};
/** Predicting 0 (absent) for every emotion: the majority four-class bin of every emotion here. */
const alwaysAbsent = (r: ExperimentResults, n: number) => acc4(at(r.references.majorityClass, n));
/** The better reference predictor, as the conclusions read it (NaN, so no check holds, when none was scored). */
const reference = (r: ExperimentResults, n: number) => bestReference(r.references, n) ?? NaN;
const binaryF1 = (p: ExperimentPoint) => EMOTIONS.map((e) => p.metrics.f1Binary[e].mean);
const overallTest = (r: ExperimentResults, n: number) => r.comparisons.find((c) => c.metric === 'acc4' && c.scope === 'overall' && c.labelCount === n)!;

/** "surprise 1, fear 2": how many of a point's runs are flagged for each emotion, in EMOTIONS order. */
export function flaggedText(point: ExperimentPoint): string {
  return flaggedPerEmotion(point)
    .filter((e) => e.runs > 0)
    .map((e) => `${e.emotion} ${e.runs}`)
    .join(', ');
}

/** The positive control's claims: SSL beats both references and the baseline with few labels, the gap narrows, presence is found, the test sees it, nothing is flagged. */
export function positiveChecks(r: ExperimentResults): Check[] {
  const counts = labelCounts(r);
  const [smallest, second] = counts;
  const gap = (n: number) => accuracyGap(r, n);
  const found = (n: number) => binaryF1(at(r.ssl, n)).filter((f) => f > 0).length;
  const points = [...r.ssl, ...r.baseline];
  const flagged = points.filter((p) => p.flagged.length);
  const unchecked = points.reduce((s, p) => s + p.runIds.length - p.checked, 0);
  return [
    ...counts.map((n) => ({
      holds: acc4(at(r.ssl, n)) > reference(r, n),
      claim: `${n} labels: SSL's 4-class accuracy ${fmt(acc4(at(r.ssl, n)))} is above both reference predictors (always absent ${fmt(alwaysAbsent(r, n))}, label mean ${fmt(acc4(at(r.references.labelMean, n)))})`,
    })),
    ...[smallest, second].map((n) => ({ holds: gap(n) > 0, claim: `${n} labels: SSL above the baseline by ${fmt(gap(n))}` })),
    { holds: gapNarrows(r) === true, claim: `the gap narrows as labels grow: ${counts.map((n) => `${n}: ${fmt(gap(n))}`).join(', ')}` },
    ...counts.map((n) => ({ holds: found(n) >= 4, claim: `${n} labels: SSL's binary F1 is above 0 for ${found(n)} of 6 emotions` })),
    ...[smallest, second].map((n) => {
      const t = overallTest(r, n);
      return { holds: (t.pAdjusted ?? 1) < ALPHA, claim: `${n} labels: paired test of overall 4-class accuracy significant after Holm (p ${t.pValue?.toPrecision(2) ?? '—'}, Holm ${t.pAdjusted?.toPrecision(2) ?? '—'})` };
    }),
    {
      holds: flagged.length === 0 && unchecked === 0,
      claim: `no arm flagged: ${flagged.length ? flagged.map((p) => `${r.ssl.includes(p) ? 'SSL' : 'baseline'} at ${p.labelCount} (${flaggedText(p)})`).join('; ') : 'none'}${unchecked ? `; ${unchecked} runs without stored predictions` : ''}`,
    },
    { holds: experimentConclusions(r).sslBeatsBaseline.includes(smallest), claim: `the conclusions say SSL beats the baseline at ${smallest} labels` },
  ];
}

/**
 * The negative control's claims: neither arm beats predicting absent, and no SSL-vs-baseline test
 * is significant after Holm's correction, in either metric family (the control's criterion). A
 * failing family names each significant test with its difference and p; for MAE it says what such
 * a difference is where neither arm learned: one in how far each strays from the labels' mean.
 */
export function negativeChecks(r: ExperimentResults): Check[] {
  const family = (metric: 'acc4' | 'mae', name: string): Check => {
    const tests = r.comparisons.filter((c) => c.metric === metric);
    const significant = tests.filter((c) => (c.pAdjusted ?? 1) < ALPHA);
    const smallest = Math.min(...tests.map((c) => c.pAdjusted ?? 1));
    const claim = `no SSL-vs-baseline test of ${name} significant after Holm (p < ${ALPHA}) in ${tests.length} tests`;
    if (!significant.length) return { holds: true, claim: `${claim} (smallest Holm p ${smallest.toPrecision(2)})` };
    const found = significant.map((c) => `${c.labelCount} labels, ${c.scope}: SSL − baseline ${formatSigned(c.meanDifference)}, Holm p ${pText(c.pAdjusted)}`).join('; ');
    const why = metric === 'mae' ? "; where neither arm beats the reference predictors, an MAE difference is one in how far each strays from the labels' mean, not learning" : '';
    return { holds: false, claim: `${claim}: ${significant.length} ${significant.length === 1 ? 'is' : 'are'} (${found})${why}` };
  };
  return [
    ...labelCounts(r).map((n) => ({
      holds: acc4(at(r.ssl, n)) <= alwaysAbsent(r, n) && acc4(at(r.baseline, n)) <= alwaysAbsent(r, n),
      claim: `${n} labels: neither arm above always absent (SSL ${fmt(acc4(at(r.ssl, n)))}, baseline ${fmt(acc4(at(r.baseline, n)))}, always absent ${fmt(alwaysAbsent(r, n))})`,
    })),
    family('acc4', '4-class accuracy'),
    family('mae', 'MAE'),
    { holds: !experimentConclusions(r).differencesCount, claim: 'the conclusions say neither arm beats the reference predictors' },
  ];
}

const pm = (s: MeanSd) => `${fmt(s.mean)} ± ${s.sd === null ? '—' : fmt(s.sd)}`;
const SHORT = EMOTIONS.map((e) => e.slice(0, 4));
const pText = (x: number | null) => (x === null ? '—' : x < 0.001 ? x.toExponential(1) : x.toFixed(3));

/** The sweep as printed lines: the table with flags, the tests of 4-class accuracy, the conclusions and the checks. */
export function formatSweep(r: ExperimentResults, checks: Check[]): string[] {
  const lines = [`  ${'labels'.padEnd(7)}${'arm'.padEnd(15)}${'4-class acc'.padEnd(17)}${'MAE'.padEnd(17)}${`binary F1 (${SHORT.join(' ')})`.padEnd(42)}flagged (emotion: runs)`];
  const rows: Array<[string, (n: number) => ExperimentPoint, boolean]> = [
    ['SSL', (n) => at(r.ssl, n), true],
    ['baseline', (n) => at(r.baseline, n), true],
    ['always absent', (n) => at(r.references.majorityClass, n), false],
    ['label mean', (n) => at(r.references.labelMean, n), false],
  ];
  for (const n of labelCounts(r)) {
    for (const [name, point, arm] of rows) {
      const p = point(n);
      const f1 = binaryF1(p).map((f) => f.toFixed(2)).join(' ');
      const flags = arm ? `${p.flagged.length}/${p.runIds.length}${p.flagged.length ? ` ${flaggedText(p)}` : ''}` : '';
      lines.push(`  ${String(n).padEnd(7)}${name.padEnd(15)}${pm(p.metrics.acc4.overall).padEnd(17)}${pm(p.metrics.mae.overall).padEnd(17)}${f1.padEnd(42)}${flags}`.trimEnd());
    }
  }
  const acc = r.comparisons.filter((c) => c.metric === 'acc4');
  const family = r.testFamilies.find((f) => f.metric === 'acc4');
  const mae = r.comparisons.filter((c) => c.metric === 'mae');
  lines.push('', `  Paired t-tests of 4-class accuracy, SSL minus baseline over repeats; Holm across ${family?.tests ?? acc.length} tests (label counts x overall and 6 emotions)`);
  lines.push(`  ${'labels'.padEnd(7)}${'scope'.padEnd(11)}${'diff'.padEnd(9)}${'t'.padEnd(9)}${'p'.padEnd(10)}p (Holm)`);
  for (const c of [...acc].sort((a, b) => a.labelCount - b.labelCount)) {
    lines.push(`  ${String(c.labelCount).padEnd(7)}${c.scope.padEnd(11)}${formatSigned(c.meanDifference).padEnd(9)}${(c.t === null ? '—' : c.t.toFixed(2)).padEnd(9)}${pText(c.pValue).padEnd(10)}${pText(c.pAdjusted)}${(c.pAdjusted ?? 1) < ALPHA ? ' *' : ''}`);
  }
  const maeSignificant = mae.filter((c) => (c.pAdjusted ?? 1) < ALPHA);
  lines.push(`  MAE (${mae.length} tests, Holm): ${maeSignificant.length ? `significant at ${maeSignificant.map((c) => `${c.labelCount} ${c.scope} (${formatSigned(c.meanDifference)}, ${pText(c.pAdjusted)})`).join(', ')}` : `none significant, smallest p (Holm) ${pText(Math.min(...mae.map((c) => c.pAdjusted ?? 1)))}`}`);
  lines.push('', '  What the results support:', ...experimentConclusions(r).sentences.map((s) => `    ${s}`));
  lines.push('', '  Checks:');
  for (const c of checks) lines.push(`  ${c.holds ? 'yes' : 'NO '}  ${c.claim}`);
  return lines;
}
