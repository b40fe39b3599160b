/**
 * Reading a training-trajectory reference file (format 'train-trajectory v1', e.g.
 * test/fixtures/reference/train_parity_small.json): the paper's network trained for K Adam
 * steps from given weights on given batches in three regimes, with the loss before each
 * step and the weights after the last.
 *
 *   config   batch B, seq_len T, features (74), hidden H, layers L, head_outputs (6), steps K,
 *            head_input, pooling, loss_scope, mask_value, optimizer { lr, beta1, beta2, epsilon }
 *   init     gru[L].keras { kernel [D, 3H], recurrent_kernel [H, 3H], bias [2, 3H] },
 *            dense74.keras { kernel [H, 74], bias [74] }, head6.keras { kernel [W, 6], bias [6] }
 *            (W: 74 on the reconstruction, H on the GRU states); the torch layouts are not read
 *   batches  K x { x, masked_input [B, T, 74], mask_spans [B][start, length], loss_weights [B, T],
 *            labels [B, 6], lengths [B] (right padding) }
 *   pretrain | finetune | baseline   { losses_before_each_step [K], final (as init; pretrain's
 *            without head6) }
 *
 * Only what the check reads is validated, each problem named with its key and what was expected.
 */
import { EMOTIONS, FEATURE_COUNT } from '@shared/emotions';
import type { MaskConfig } from '@shared/api/entities';
import type { MaskSpan } from '@shared/masking/masking';
import type { ModelConfig } from '@shared/model/modelConfig';
import type { HostArray, KerasGruParams } from '../../training/gru/gateLayout';
import { readJsonFile, Reader, type Json } from './jsonFixture';

export const TRAJECTORY_FORMAT = 'train-trajectory v1';
export const REGIMES = ['pretrain', 'finetune', 'baseline'] as const;
export type Regime = (typeof REGIMES)[number];

export interface DenseParams {
  readonly kernel: HostArray;
  readonly bias: HostArray;
}

export interface TrajectoryWeights {
  readonly gru: KerasGruParams[];
  readonly dense74: DenseParams;
  /** Absent in a pre-training's final weights (it has no head). */
  readonly head6: DenseParams | null;
}

export interface TrajectoryBatch {
  /** [B, T, 74] */
  readonly x: HostArray;
  /** [B, T, 74]: x with each clip's span set to the mask value. */
  readonly maskedInput: HostArray;
  /** One span per clip, from its first step (right padding: its first valid step). */
  readonly spans: MaskSpan[];
  /** [B, T] */
  readonly lossWeights: HostArray;
  /** [B, 6] */
  readonly labels: HostArray;
  readonly lengths: number[];
}

export interface RegimeReference {
  readonly losses: number[];
  readonly final: TrajectoryWeights;
}

export interface TrajectoryFixture {
  readonly source: string;
  readonly batchSize: number;
  readonly steps: number;
  readonly model: ModelConfig;
  readonly mask: Pick<MaskConfig, 'value' | 'lossScope'>;
  readonly optimizer: { learningRate: number; adam: { beta1: number; beta2: number; epsilon: number } };
  readonly init: TrajectoryWeights;
  readonly batches: TrajectoryBatch[];
  readonly regimes: Record<Regime, RegimeReference>;
}

function readDense(r: Reader, obj: Json, key: string, fanIn: number, fanOut: number, at: string): DenseParams {
  const keras = r.objectField(r.objectField(obj, key, at), 'keras', `${at}${key}.`);
  const prefix = `${at}${key}.keras.`;
  return { kernel: r.arrayField(keras, 'kernel', [fanIn, fanOut], prefix), bias: r.arrayField(keras, 'bias', [fanOut], prefix) };
}

function readWeights(r: Reader, value: unknown, at: string, model: ModelConfig, withHead: boolean): TrajectoryWeights {
  const obj = r.object(value, `"${at.slice(0, -1)}"`);
  const h = model.hiddenUnits;
  const gru = r.list(obj, 'gru', model.gruLayers, 'config.layers', at).map((layer, l) => {
    const where = `${at}gru[${l}].`;
    const keras = r.objectField(r.object(layer, `"${where.slice(0, -1)}"`), 'keras', where);
    const prefix = `${where}keras.`;
    return {
      kernel: r.arrayField(keras, 'kernel', [l === 0 ? FEATURE_COUNT : h, 3 * h], prefix),
      recurrentKernel: r.arrayField(keras, 'recurrent_kernel', [h, 3 * h], prefix),
      bias: r.arrayField(keras, 'bias', [2, 3 * h], prefix),
    };
  });
  const headWidth = model.headInput === 'reconstruction' ? FEATURE_COUNT : h;
  return {
    gru,
    dense74: readDense(r, obj, 'dense74', h, FEATURE_COUNT, at),
    head6: withHead ? readDense(r, obj, 'head6', headWidth, EMOTIONS.length, at) : null,
  };
}

function readBatch(r: Reader, value: unknown, k: number, batch: number, steps: number): TrajectoryBatch {
  const at = `batches[${k}].`;
  const obj = r.object(value, `"batches[${k}]"`);
  const lengths = Array.from(r.arrayField(obj, 'lengths', [batch], at).data, (n, b) => {
    if (!Number.isInteger(n) || n < 1 || n > steps) r.fail(`${at}lengths[${b}] = ${n} must be an integer from 1 to seq_len (${steps})`);
    return n;
  });
  const spanValues = r.arrayField(obj, 'mask_spans', [batch, 2], at).data;
  const spans = lengths.map((length, b) => {
    const [start, span] = [spanValues[2 * b], spanValues[2 * b + 1]];
    if (!Number.isInteger(start) || !Number.isInteger(span) || start < 0 || span < 1 || start + span > length) {
      r.fail(`${at}mask_spans[${b}] = [${start}, ${span}] must be [start, length] inside the clip's ${length} valid steps`);
    }
    return { start, length: span };
  });
  return {
    x: r.arrayField(obj, 'x', [batch, steps, FEATURE_COUNT], at),
    maskedInput: r.arrayField(obj, 'masked_input', [batch, steps, FEATURE_COUNT], at),
    spans,
    lossWeights: r.arrayField(obj, 'loss_weights', [batch, steps], at),
    labels: r.arrayField(obj, 'labels', [batch, EMOTIONS.length], at),
    lengths,
  };
}

function readOptimizer(r: Reader, config: Json): TrajectoryFixture['optimizer'] {
  const opt = r.objectField(config, 'optimizer', 'config.');
  const at = 'config.optimizer.';
  if ('name' in opt && opt.name !== 'adam') r.fail(`"${at}name" must be "adam", got ${JSON.stringify(opt.name)}`);
  const lr = r.finite(opt, 'lr', at);
  if (lr <= 0) r.fail(`"${at}lr" must be positive, got ${lr}`);
  const beta = (key: string) => {
    const v = r.finite(opt, key, at);
    if (v < 0 || v >= 1) r.fail(`"${at}${key}" must be in [0, 1), got ${v}`);
    return v;
  };
  const epsilon = r.finite(opt, 'epsilon', at);
  if (epsilon <= 0) r.fail(`"${at}epsilon" must be positive, got ${epsilon}`);
  return { learningRate: lr, adam: { beta1: beta('beta1'), beta2: beta('beta2'), epsilon } };
}

/** The file's network and data sizes; features and head outputs must be the workbench's (74 and 6). */
function readConfig(r: Reader, config: Json) {
  const at = 'config.';
  for (const [key, wanted, what] of [['features', FEATURE_COUNT, 'COVAREP features'], ['head_outputs', EMOTIONS.length, 'emotions']] as const) {
    const v = r.positiveInt(config, key, at);
    if (v !== wanted) r.fail(`"${at}${key}" is ${v}, but the workbench's network has ${wanted} (${what})`);
  }
  const model: ModelConfig = {
    hiddenUnits: r.positiveInt(config, 'hidden', at),
    gruLayers: r.positiveInt(config, 'layers', at),
    headInput: r.oneOf(config, 'head_input', ['reconstruction', 'encoder'] as const, at),
    pooling: r.oneOf(config, 'pooling', ['last-valid', 'mean-valid'] as const, at),
  };
  return {
    batchSize: r.positiveInt(config, 'batch', at),
    steps: r.positiveInt(config, 'seq_len', at),
    stepCount: r.positiveInt(config, 'steps', at),
    model,
    mask: { value: r.finite(config, 'mask_value', at), lossScope: r.oneOf(config, 'loss_scope', ['all-valid', 'masked-only'] as const, at) },
    optimizer: readOptimizer(r, config),
  };
}

function readRegime(r: Reader, root: Json, regime: Regime, stepCount: number, model: ModelConfig): RegimeReference {
  const obj = r.objectField(root, regime);
  const at = `${regime}.`;
  const losses = Array.from(r.arrayField(obj, 'losses_before_each_step', [stepCount], at).data);
  return { losses, final: readWeights(r, r.field(obj, 'final', at), `${at}final.`, model, regime !== 'pretrain') };
}

/** Validates a parsed trajectory file; `source` names it in error messages. */
export function parseTrajectoryFixture(raw: unknown, source: string): TrajectoryFixture {
  const r = new Reader(source);
  const root = r.object(raw, 'the file');
  if (root.format !== TRAJECTORY_FORMAT) r.fail(`"format" must be "${TRAJECTORY_FORMAT}", got ${JSON.stringify(root.format)}`);
  const { batchSize, steps, stepCount, model, mask, optimizer } = readConfig(r, r.objectField(root, 'config'));
  return {
    source,
    batchSize,
    steps,
    model,
    mask,
    optimizer,
    init: readWeights(r, r.field(root, 'init', ''), 'init.', model, true),
    batches: r.list(root, 'batches', stepCount, 'config.steps').map((b, k) => readBatch(r, b, k, batchSize, steps)),
    regimes: Object.fromEntries(REGIMES.map((regime) => [regime, readRegime(r, root, regime, stepCount, model)])) as Record<Regime, RegimeReference>,
  };
}

/** Whether parsed JSON claims to be a trajectory file (of any version): its `format` starts so. */
export function isTrajectoryFile(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && typeof (raw as Json).format === 'string' && ((raw as Json).format as string).startsWith('train-trajectory');
}

export function loadTrajectoryFixture(path: string): TrajectoryFixture {
  return parseTrajectoryFixture(readJsonFile(path), path);
}
