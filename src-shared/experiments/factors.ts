/**
 * The settings an ablation may vary, one table shared by the Experiments form, the command line
 * (`--vary`) and main. Each names a recorded config path, says which runs it changes (the
 * pre-training only, the fine-tunes and baselines only, or every run), how its values are typed
 * and which values the run rules allow. A factor that does not change the supervised runs does
 * not change the baseline: one baseline arm then serves every value.
 */
import { z } from 'zod';
import { MaskConfig, TrainConfig } from '../api/entities';
import { SequencePolicySchema } from '../data/sequencePolicy';
import { normaliseSplit, SplitConfigSchema, splitFractionsProblem } from '../data/splits';
import { ModelConfigSchema } from '../model/modelConfig';
import { numberText } from '../numberText';

export type FactorValue = number | string;
/** Which runs a field changes: the pre-training only, the fine-tunes and baselines only, or both. */
export type FactorScope = 'pretrain' | 'supervised' | 'both';

interface FieldBase {
  /** What a factor names: the config path as recorded, `pretrain.` first where the path exists on the supervised runs with another meaning. */
  id: string;
  /** The path in a run's TrainConfig. */
  path: readonly string[];
  /** "Mask span length (steps)": the form's menu and the tables. */
  label: string;
  /** "span": legends and value labels ("span = 10"). */
  short: string;
  group: 'Masking' | 'Model' | 'Training' | 'Sequence' | 'Split';
  scope: FactorScope;
  /** The contract's own rule for the field (TrainConfig's schema at that path). */
  schema: z.ZodType;
}
export type VaryableField =
  | (FieldBase & { type: 'integer' | 'number'; min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean })
  | (FieldBase & { type: 'choice'; choices: readonly string[] });

const ints = (f: Omit<FieldBase, 'schema'> & { schema: z.ZodType; min: number; max: number }): VaryableField => ({ ...f, type: 'integer' });
const choice = (f: Omit<FieldBase, 'schema'> & { schema: z.ZodEnum }): VaryableField => ({ ...f, type: 'choice', choices: f.schema.options as string[] });

const mask = MaskConfig.shape;
const model = ModelConfigSchema.shape;
const sequence = SequencePolicySchema.shape;
const split = SplitConfigSchema.shape;

export const VARYABLE_FIELDS: readonly VaryableField[] = [
  ints({ id: 'mask.spanLength', path: ['mask', 'spanLength'], label: 'Mask span length (steps)', short: 'span', group: 'Masking', scope: 'pretrain', schema: mask.spanLength, min: 1, max: 10_000 }),
  ints({ id: 'mask.spanCount', path: ['mask', 'spanCount'], label: 'Masked spans per clip', short: 'spans', group: 'Masking', scope: 'pretrain', schema: mask.spanCount, min: 0, max: 100 }),
  { id: 'mask.value', path: ['mask', 'value'], label: 'Mask value', short: 'mask value', group: 'Masking', scope: 'pretrain', schema: mask.value, type: 'number', min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
  choice({ id: 'mask.lossScope', path: ['mask', 'lossScope'], label: 'Loss scope of pre-training', short: 'loss on', group: 'Masking', scope: 'pretrain', schema: mask.lossScope }),
  ints({ id: 'pretrain.epochs', path: ['epochs'], label: 'Pre-training epochs', short: 'pre-training epochs', group: 'Training', scope: 'pretrain', schema: TrainConfig.shape.epochs, min: 1, max: 10_000 }),
  {
    id: 'pretrain.learningRate', path: ['learningRate'], label: 'Pre-training learning rate', short: 'pre-training lr', group: 'Training', scope: 'pretrain',
    schema: TrainConfig.shape.learningRate, type: 'number', min: 0, max: 10, minExclusive: true,
  },
  {
    id: 'learningRate', path: ['learningRate'], label: 'Learning rate of fine-tunes and baselines', short: 'lr', group: 'Training', scope: 'supervised',
    schema: TrainConfig.shape.learningRate, type: 'number', min: 0, max: 10, minExclusive: true,
  },
  ints({ id: 'model.hiddenUnits', path: ['model', 'hiddenUnits'], label: 'Hidden units per GRU (model width)', short: 'hidden', group: 'Model', scope: 'both', schema: model.hiddenUnits, min: 1, max: 4096 }),
  ints({ id: 'model.gruLayers', path: ['model', 'gruLayers'], label: 'GRU layers', short: 'GRU layers', group: 'Model', scope: 'both', schema: model.gruLayers, min: 1, max: 4 }),
  choice({ id: 'model.headInput', path: ['model', 'headInput'], label: 'Head input', short: 'head input', group: 'Model', scope: 'supervised', schema: model.headInput }),
  choice({ id: 'model.pooling', path: ['model', 'pooling'], label: 'Pooling of a sequence', short: 'pooling', group: 'Model', scope: 'supervised', schema: model.pooling }),
  ints({ id: 'sequence.maxFrames', path: ['sequence', 'maxFrames'], label: 'Sequence window (steps)', short: 'window', group: 'Sequence', scope: 'both', schema: sequence.maxFrames, min: 1, max: 100_000 }),
  choice({ id: 'sequence.keep', path: ['sequence', 'keep'], label: 'Part of a long clip kept', short: 'keep', group: 'Sequence', scope: 'both', schema: sequence.keep }),
  ints({ id: 'sequence.poolFrames', path: ['sequence', 'poolFrames'], label: 'Frames averaged per step', short: 'pooled frames', group: 'Sequence', scope: 'both', schema: sequence.poolFrames, min: 1, max: 1000 }),
  choice({ id: 'sequence.padding', path: ['sequence', 'padding'], label: 'Padding side', short: 'padding', group: 'Sequence', scope: 'both', schema: sequence.padding }),
  choice({ id: 'split.kind', path: ['split', 'kind'], label: 'Split', short: 'split', group: 'Split', scope: 'both', schema: split.kind }),
  ints({ id: 'split.seed', path: ['split', 'seed'], label: 'Split seed', short: 'split seed', group: 'Split', scope: 'both', schema: split.seed, min: 0, max: 2 ** 31 - 1 }),
  {
    id: 'split.validationFraction', path: ['split', 'validationFraction'], label: 'Validation share', short: 'validation share', group: 'Split', scope: 'both',
    schema: split.validationFraction, type: 'number', min: 0, max: 1, minExclusive: true, maxExclusive: true,
  },
];

export const FACTOR_FIELD_IDS = VARYABLE_FIELDS.map((f) => f.id) as [string, ...string[]];
/** At most two factors, each of 2 to 8 values, and at most 12 combinations: an ablation of more is several experiments. */
export const MAX_FACTORS = 2;
export const MAX_FACTOR_VALUES = 8;
export const MAX_VARIANTS = 12;

export const Factor = z.object({
  field: z.enum(FACTOR_FIELD_IDS, { message: `not a setting an experiment can vary; one of ${FACTOR_FIELD_IDS.join(', ')}` }),
  values: z.array(z.union([z.number().finite(), z.string().max(40)])).min(2, 'A factor needs at least two values').max(MAX_FACTOR_VALUES, `A factor takes at most ${MAX_FACTOR_VALUES} values`),
});
export type Factor = z.infer<typeof Factor>;

export function varyableField(id: string): VaryableField | undefined {
  return VARYABLE_FIELDS.find((f) => f.id === id);
}
const fieldOf = (id: string): VaryableField => {
  const field = varyableField(id);
  if (!field) throw new Error(`${id} is not a setting an experiment can vary.`);
  return field;
};

/** Whether a field changes the baseline (every field the supervised runs record): masking and pre-training-only fields do not. */
export const changesBaseline = (id: string) => fieldOf(id).scope !== 'pretrain';
/** Whether a field changes the pre-training (the supervised-only ones, such as the head, share one pre-training). */
export const changesPretrain = (id: string) => fieldOf(id).scope !== 'supervised';

/** "span = 10", "mask value = −30": a factor value as legends and tables name it. */
export function valueLabel(id: string, value: FactorValue): string {
  return `${fieldOf(id).short} = ${typeof value === 'number' ? numberText(value) : value}`;
}

/** What the allowed values of a field are, in words: "whole numbers from 1 to 10000", "all-valid or masked-only". */
export function allowedText(field: VaryableField): string {
  if (field.type === 'choice') return field.choices.join(' or ');
  if (field.min === -Number.MAX_VALUE && field.max === Number.MAX_VALUE) return 'any finite number';
  const from = field.minExclusive ? `above ${field.min}` : `from ${numberText(field.min)}`;
  const to = field.maxExclusive ? `below ${field.max}` : `to ${numberText(field.max)}`;
  return `${field.type === 'integer' ? 'whole numbers' : 'numbers'} ${from} ${to}`;
}

/** Why one value is not allowed for the field, or null when it is (the field's range, then the contract's schema). */
export function valueProblem(field: VaryableField, value: unknown): string | null {
  const refuse = () => `${field.label}: ${JSON.stringify(value)} is not allowed; use ${allowedText(field)}.`;
  if (field.type === 'choice') return typeof value === 'string' && field.choices.includes(value) ? null : refuse();
  if (typeof value !== 'number' || !Number.isFinite(value)) return refuse();
  if (field.type === 'integer' && !Number.isInteger(value)) return refuse();
  if (field.minExclusive ? value <= field.min : value < field.min) return refuse();
  if (field.maxExclusive ? value >= field.max : value > field.max) return refuse();
  if (field.id === 'split.validationFraction') {
    const problem = splitFractionsProblem({ kind: 'random-segment', validationFraction: value, seed: 0, testFraction: 0 });
    if (problem) return `${field.label}: ${problem}`;
  }
  return field.schema.safeParse(value).success ? null : refuse();
}

/**
 * A factor's values as typed ("10, 30, 60" or "all-valid masked-only"): the values, or what is
 * wrong with them. The form and `--vary` both read values this way.
 */
export function parseFactorValues(id: string, text: string): { values: FactorValue[] } | { error: string } {
  const field = varyableField(id);
  if (!field) return { error: `${id} is not a setting an experiment can vary; choose one of ${FACTOR_FIELD_IDS.join(', ')}.` };
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const values: FactorValue[] = parts.map((p) => (field.type === 'choice' ? p : p.trim() === '' ? NaN : Number(p.replace(/\u2212/g, '-'))));
  const bad = parts.filter((_, i) => valueProblem(field, values[i]) !== null);
  if (bad.length) return { error: `${field.label}: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not allowed; use ${allowedText(field)}.` };
  return factorValuesProblem(field, values) ?? { values };
}

function factorValuesProblem(field: VaryableField, values: readonly FactorValue[]): { error: string } | null {
  if (values.length < 2) return { error: `${field.label}: give at least two values to compare (one value is a setting, not a factor).` };
  if (values.length > MAX_FACTOR_VALUES) return { error: `${field.label}: at most ${MAX_FACTOR_VALUES} values (${values.length} given).` };
  const repeated = values.filter((v, i) => values.indexOf(v) !== i);
  if (repeated.length) return { error: `${field.label}: ${[...new Set(repeated)].join(', ')} given twice; each value once.` };
  return null;
}

/** Every problem of a plan's factors, each with the path of the request field it is in; empty when they can run. */
export function factorProblems(factors: readonly Factor[]): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (factors.length > MAX_FACTORS) out.push({ path: 'factors', message: `An experiment varies at most ${MAX_FACTORS} settings at once (${factors.length} given).` });
  factors.forEach((factor, i) => {
    const field = varyableField(factor.field);
    if (!field) return void out.push({ path: `factors.${i}.field`, message: `${factor.field} is not a setting an experiment can vary.` });
    if (factors.findIndex((f) => f.field === factor.field) !== i) out.push({ path: `factors.${i}.field`, message: `${field.label} is varied twice; give all its values in one factor.` });
    factor.values.forEach((v, j) => {
      const problem = valueProblem(field, v);
      if (problem) out.push({ path: `factors.${i}.values.${j}`, message: problem });
    });
    const values = factorValuesProblem(field, factor.values);
    if (values) out.push({ path: `factors.${i}.values`, message: values.error });
  });
  const combinations = factors.reduce((n, f) => n * f.values.length, 1);
  if (combinations > MAX_VARIANTS) out.push({ path: 'factors', message: `${combinations} combinations of values are more than the ${MAX_VARIANTS} one experiment runs; vary fewer values, or split the ablation into experiments.` });
  return out;
}

/** One combination of factor values: field id -> value, in the plan's factor order. */
export type FactorValues = Record<string, FactorValue>;

/** The cross product of the factors' values, the first factor varying slowest; one empty combination without factors. */
export function factorCombinations(factors: readonly Factor[]): FactorValues[] {
  return factors.reduce<FactorValues[]>((acc, f) => acc.flatMap((partial) => f.values.map((v) => ({ ...partial, [f.field]: v }))), [{}]);
}

/** A combination restricted to the fields that change one kind of run, as a stable key ("{}" when none does). */
export function valuesKey(values: FactorValues, keep: (id: string) => boolean = () => true): string {
  return JSON.stringify(Object.fromEntries(Object.entries(values).filter(([id]) => keep(id))));
}
export const restrict = (values: FactorValues, keep: (id: string) => boolean): FactorValues => JSON.parse(valuesKey(values, keep)) as FactorValues;

/** "span = 10 · hidden = 64"; "all runs" for the one combination of an experiment without factors. */
export function combinationLabel(values: FactorValues): string {
  const parts = Object.entries(values).map(([id, v]) => valueLabel(id, v));
  return parts.length ? parts.join(' · ') : 'all runs';
}

/** A config with the values of the fields that change this kind of run set. */
export function withFactorValues(config: TrainConfig, values: FactorValues, kind: 'pretrain' | 'supervised'): TrainConfig {
  const out = structuredClone(config) as unknown as Record<string, unknown>;
  for (const [id, value] of Object.entries(values)) {
    const field = fieldOf(id);
    if (field.scope !== 'both' && field.scope !== kind) continue;
    // A supervised run has no mask (null): its masking fields stay with the pre-training.
    let node = out;
    for (const key of field.path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    if (node) node[field.path.at(-1)!] = value;
  }
  const varied = out as unknown as TrainConfig;
  // A varied split kind keeps the preset's test share only where it applies (a share asked for is left to the rules).
  return 'split.kind' in values ? { ...varied, split: normaliseSplit(varied.split) } : varied;
}

/** The value a config holds at a field's path (what the preset gives a field the form has not varied yet). */
export function configValue(config: TrainConfig, id: string): FactorValue | null {
  let node: unknown = config;
  for (const key of fieldOf(id).path) node = node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[key];
  return typeof node === 'number' || typeof node === 'string' ? node : null;
}
