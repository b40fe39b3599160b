import { EMOTIONS } from '@shared/emotions';
import { meanOf } from './resultsFixtures';
import type { Table1 } from '@shared/export/table1Model';

// Fixtures of the Table 1 writers' specs.

/** Names and labels that break naive writers: table syntax, TeX specials, CSV quoting, spreadsheet formulas, HTML. */
export const HOSTILE = ['a|b', '50% & $x_1$ {y} ~ ^ \\', '"q",\n', '=1+1', '<script>alert(1)</script>'] as const;
export const HOSTILE_NAME = HOSTILE.join(' ');

/** A Table 1 whose every user-controlled text is hostile, with each kind of cell. */
export function hostileTable(): Table1 {
  const cells = (mean: number, sd: number | null, n: number) => EMOTIONS.map((_, i) => meanOf(mean + i / 1000, sd, n));
  return {
    experimentId: 9,
    experimentName: HOSTILE_NAME,
    labelCount: 200,
    split: 'validation',
    f1Metric: 'f1Weighted',
    f1Definition: 'Weighted F1 (sklearn average=\'weighted\'); 50% & more',
    emotions: [...EMOTIONS],
    rows: [
      { label: 'SSL (this experiment, 200 labels)', source: 'runs', labelCount: 200, cells: [...cells(0.7712345, 0.0123456, 3).slice(0, 5), null], degenerate: [0, 0, 2, 0, 0, null] },
      { label: 'Label mean (no audio), 200 labels', source: 'reference', labelCount: 200, cells: cells(0.6, 0.01, 3), degenerate: EMOTIONS.map(() => null) },
      ...HOSTILE.map((label, k) => ({ label, source: 'literature' as const, labelCount: null, cells: cells(0.5 + k / 10, null, 1), degenerate: EMOTIONS.map(() => null) })),
      { label: 'one repeat', source: 'runs', labelCount: 200, cells: cells(0.25, null, 1), degenerate: EMOTIONS.map(() => null) },
    ],
    runIds: [1, 2, 3],
    notes: [`Experiment "${HOSTILE_NAME}"`, 'Second note'],
  };
}

