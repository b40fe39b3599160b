import type { RunSummary } from '@shared/api/entities';
import type { RunColumn, RunField, RunFilterClause } from '@shared/history/query';
import { formatDuration, formatNumber, runDuration } from './format';

/**
 * The run history's columns: what each shows, what it sorts on, and how it is filtered
 * (a menu of the values the store holds, a number comparison typed as "<0.3", or a text
 * match). Pure, so the table component only lays them out.
 */
export type FilterKind = 'values' | 'number' | 'text' | 'tags' | 'none';

export interface HistoryColumn {
  key: string;
  label: string;
  title?: string;
  numeric: boolean;
  /** What a header click sorts on (a column or a config path). */
  sort: RunField;
  /** What the column's filter constrains, and how it is entered. */
  filter: { field: RunField; kind: FilterKind };
  width: string;
  cell(run: RunSummary, ctx: CellContext): string;
}

export interface CellContext {
  datasetName(id: string): string;
}

const col = (key: RunColumn, label: string, kind: FilterKind, numeric: boolean, width: string, cell: HistoryColumn['cell'], title?: string): HistoryColumn => ({
  key, label, title, numeric, sort: key, filter: { field: key, kind }, width, cell,
});
const SPLIT_NAMES = { 'random-segment': 'random', 'by-video': 'by video', 'sdk-standard': 'SDK folds' } as const;
/** "random 80/20", "by video 70/15/15" (train/validation/test), "SDK folds" (the standard folds have fixed sizes). */
export function splitLabel(split: RunSummary['config']['split']): string {
  if (split.kind === 'sdk-standard') return SPLIT_NAMES[split.kind];
  const validation = Math.round(split.validationFraction * 100);
  const test = Math.round(split.testFraction * 100);
  return `${SPLIT_NAMES[split.kind]} ${100 - validation - test}/${validation}${split.testFraction > 0 ? `/${test}` : ''}`;
}
const orDash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '—' : String(v));
/** "⚑ anger, fear" for a run with degenerate emotions, "none" without, "—" when no predictions were stored. */
export function flagsCell(flags: RunSummary['flags']): string {
  if (!flags) return '—';
  return flags.flags.length ? `⚑ ${flags.flags.map((f) => f.emotion).join(', ')}` : 'none';
}

export const HISTORY_COLUMNS: HistoryColumn[] = [
  // What a researcher scans first (what, how it ended, how well) leads; the settings follow.
  col('id', '#', 'number', true, '56px', (r) => String(r.id)),
  col('name', 'Name', 'text', false, '280px', (r) => r.name),
  col('kind', 'Kind', 'values', false, '86px', (r) => r.kind),
  col('status', 'Status', 'values', false, '90px', (r) => r.status),
  col('labelCount', 'Labels', 'values', true, '64px', (r) => orDash(r.labelCount), 'Labelled training segments'),
  col('mae', 'MAE', 'number', true, '70px', (r) => formatNumber(r.maeOverall), 'Mean absolute error (overall), on the validation split'),
  col('acc4', 'Acc-4', 'number', true, '70px', (r) => formatNumber(r.acc4Overall), '4-class accuracy (overall), on the validation split'),
  col('maeTest', 'MAE test', 'number', true, '76px', (r) => formatNumber(r.maeTest), 'Mean absolute error (overall), on the test split (— : the run\'s split has none)'),
  col('acc4Test', 'Acc-4 test', 'number', true, '80px', (r) => formatNumber(r.acc4Test), '4-class accuracy (overall), on the test split (— : the run\'s split has none)'),
  col('flagged', 'Flags', 'number', false, '150px', (r) => flagsCell(r.flags), 'Emotions whose predictions are degenerate (one four-class bin, or always present or absent) on the test split, else validation. Filter by their number, e.g. >0'),
  col('lastLoss', 'Last loss', 'number', true, '80px', (r) => formatNumber(r.lastLoss, 4)),
  col('maskSpan', 'Span', 'values', true, '60px', (r) => orDash(r.pretrainMask?.spanLength), 'Mask span length (timesteps) of the pre-training (a fine-tune shows its encoder\'s)'),
  col('maskCount', 'Spans', 'values', true, '60px', (r) => orDash(r.pretrainMask?.spanCount), 'Masked spans per clip'),
  col('maskValue', 'Mask val.', 'values', true, '72px', (r) => orDash(r.pretrainMask?.value), 'Value masked timesteps are set to'),
  col('maskLossScope', 'Loss on', 'values', false, '96px', (r) => orDash(r.pretrainMask?.lossScope), 'Reconstruction loss over all valid steps or the masked ones only'),
  col('seed', 'Seed', 'number', true, '56px', (r) => String(r.seed)),
  col('dataset', 'Dataset', 'values', false, '150px', (r, ctx) => ctx.datasetName(r.datasetId)),
  {
    key: 'split', label: 'Split', title: 'Which segments train and validate', numeric: false, sort: 'config.split.kind',
    filter: { field: 'config.split.kind', kind: 'values' }, width: '120px',
    cell: (r) => splitLabel(r.config.split),
  },
  col('experiment', 'Exp.', 'values', true, '56px', (r) => orDash(r.experimentId), 'Experiment the run belongs to'),
  {
    key: 'model', label: 'Model', title: 'GRU layers × units, head input, pooling', numeric: false, sort: 'config.model.hiddenUnits',
    filter: { field: 'config.model.hiddenUnits', kind: 'values' }, width: '150px',
    cell: (r) => `${r.config.model.gruLayers}×GRU${r.config.model.hiddenUnits} ${r.config.model.headInput}/${r.config.model.pooling}`,
  },
  col('backend', 'Backend', 'values', false, '84px', (r) => orDash(r.backend)),
  col('epochs', 'Epochs', 'values', true, '62px', (r) => String(r.config.epochs)),
  col('duration', 'Duration', 'number', true, '84px', (r) => formatDuration(runDuration(r.startedAt, r.finishedAt)), 'Filter in seconds, e.g. >60'),
  col('startedAt', 'Started', 'text', false, '150px', (r) => (r.startedAt ? new Date(r.startedAt).toLocaleString() : '—'), 'Filter by date text, e.g. 2026-11'),
  col('tags', 'Tags', 'tags', false, '160px', (r) => r.tags.join(', ')),
];

/**
 * A number filter as typed: "0.3" or "=0.3", "<0.3", "<=0.3", ">0.3", ">=0.3", "!=0.3",
 * "none" (no value). Empty text means no filter (null); anything else is an error message.
 */
export function parseNumberFilter(text: string): Omit<RunFilterClause, 'field'> | null | string {
  const t = text.trim();
  if (!t) return null;
  if (/^(none|—|-)$/i.test(t)) return { op: 'isNull', value: null };
  const m = /^(<=|>=|!=|<|>|=)?\s*(-?(\d+\.?\d*|\.\d+)(e-?\d+)?)$/i.exec(t);
  if (!m) return `"${t}" is not a number filter: use a number, or <, <=, >, >=, != followed by one, or "none".`;
  const ops = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte', '!=': 'neq', '=': 'eq' } as const;
  return { op: ops[(m[1] ?? '=') as keyof typeof ops], value: Number(m[2]) };
}

/** A config filter's typed value as the config holds it: empty is none, true/false, a number, or text. */
export function parseFilterValue(text: string): RunFilterClause['value'] {
  const t = text.trim();
  if (t === '') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  return Number.isFinite(Number(t)) ? Number(t) : t;
}

/** The text a filter box shows for a clause the store holds (the inverse of parseNumberFilter). */
export function numberFilterText(clause: Pick<RunFilterClause, 'op' | 'value'> | undefined): string {
  if (!clause) return '';
  if (clause.op === 'isNull') return 'none';
  const symbols: Partial<Record<RunFilterClause['op'], string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=', neq: '!=', eq: '' };
  return `${symbols[clause.op] ?? ''}${clause.value ?? ''}`;
}

/** A menu value as the store returned it, as a menu label (dataset ids become names). */
export function valueLabel(column: HistoryColumn, value: string | number | null, ctx: CellContext): string {
  if (value === null) return 'none';
  if (column.key === 'dataset') return ctx.datasetName(String(value));
  if (column.key === 'experiment') return `#${value}`;
  return String(value);
}
