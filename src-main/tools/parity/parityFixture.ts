/**
 * Reading a GRU parity file (test/fixtures/reference/gru_parity_*.json).
 *
 * The files come from torch.nn.GRU in float64 (batch_first, zero initial state) and hold:
 * x [B,T,D], G [B,T,H], G2 [B,H]; per layer the PyTorch and Keras weights and the gradients of
 *   loss = sum(H * G) + sum(h_last[top] * G2)
 * in both layouts; the top layer's outputs H [B,T,H], h_last [L,B,H], grad_x [B,T,D], loss.
 * A padded file adds `lengths` [B] (right padding) and `mask` [B,T]; there H is 0 at padded
 * steps (pad_packed_sequence) and G is already 0 there.
 * Every problem is reported as one sentence naming the file and the offending key.
 */
import type { HostArray, KerasGruParams, TorchGruParams } from '../../training/gru/gateLayout';
import { FixtureError, readJsonFile, Reader, type Json } from './jsonFixture';

export interface ParityLayer {
  readonly inputSize: number;
  readonly keras: KerasGruParams;
  readonly torch: TorchGruParams;
  readonly gradKeras: KerasGruParams;
  readonly gradTorch: TorchGruParams;
  /** [B, H]: this layer's final state. */
  readonly hLast: HostArray;
}

export interface ParityFixture {
  readonly source: string;
  readonly batch: number;
  readonly steps: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly x: HostArray;
  readonly G: HostArray;
  readonly G2: HostArray;
  readonly H: HostArray;
  /** [L, B, H] */
  readonly hLast: HostArray;
  readonly gradX: HostArray;
  readonly loss: number;
  readonly lengths: number[] | null;
  readonly mask: HostArray | null;
  readonly layers: ParityLayer[];
}

export { FixtureError };

function readKeras(r: Reader, obj: Json, prefix: string, d: number, h: number): KerasGruParams {
  return {
    kernel: r.arrayField(obj, 'kernel', [d, 3 * h], prefix),
    recurrentKernel: r.arrayField(obj, 'recurrent_kernel', [h, 3 * h], prefix),
    bias: r.arrayField(obj, 'bias', [2, 3 * h], prefix),
  };
}

function readTorch(r: Reader, obj: Json, prefix: string, d: number, h: number): TorchGruParams {
  return {
    weightIh: r.arrayField(obj, 'weight_ih', [3 * h, d], prefix),
    weightHh: r.arrayField(obj, 'weight_hh', [3 * h, h], prefix),
    biasIh: r.arrayField(obj, 'bias_ih', [3 * h], prefix),
    biasHh: r.arrayField(obj, 'bias_hh', [3 * h], prefix),
  };
}

function readLayer(r: Reader, value: unknown, l: number, d: number, h: number, batch: number): ParityLayer {
  const at = `layers[${l}].`;
  const obj = r.object(value, `layers[${l}]`);
  const sub = (key: string) => r.object(r.field(obj, key, at), `${at}${key}`);
  return {
    inputSize: d,
    keras: readKeras(r, sub('keras'), `${at}keras.`, d, h),
    torch: readTorch(r, sub('torch'), `${at}torch.`, d, h),
    gradKeras: readKeras(r, sub('grad_keras'), `${at}grad_keras.`, d, h),
    gradTorch: readTorch(r, sub('grad_torch'), `${at}grad_torch.`, d, h),
    hLast: r.arrayField(obj, 'h_last', [batch, h], at),
  };
}

function readLengths(r: Reader, root: Json, batch: number, steps: number): number[] | null {
  if (!('lengths' in root)) return null;
  const lengths = r.arrayField(root, 'lengths', [batch]);
  return Array.from(lengths.data, (v, b) => {
    if (!Number.isInteger(v) || v < 0 || v > steps) r.fail(`lengths[${b}] = ${v} is not an integer in [0, ${steps}]`);
    return v;
  });
}

/** Validates a parsed parity file; `source` names it in error messages. */
export function parseParityFixture(raw: unknown, source: string): ParityFixture {
  const r: Reader = new Reader(source);
  const root = r.object(raw, 'the file');
  const batch = r.positiveInt(root, 'batch');
  const steps = r.positiveInt(root, 'seq_len');
  const inputSize = r.positiveInt(root, 'input_size');
  const hidden = r.positiveInt(root, 'hidden_size');
  const numLayers = r.positiveInt(root, 'num_layers');
  const layersRaw = r.field(root, 'layers', '');
  if (!Array.isArray(layersRaw) || layersRaw.length !== numLayers) r.fail(`"layers" must be a list of ${numLayers} layer objects`);
  const loss = r.field(root, 'loss', '');
  if (typeof loss !== 'number' || !Number.isFinite(loss)) r.fail('"loss" must be a finite number');
  return {
    source,
    batch,
    steps,
    inputSize,
    hiddenSize: hidden,
    x: r.arrayField(root, 'x', [batch, steps, inputSize]),
    G: r.arrayField(root, 'G', [batch, steps, hidden]),
    G2: r.arrayField(root, 'G2', [batch, hidden]),
    H: r.arrayField(root, 'H', [batch, steps, hidden]),
    hLast: r.arrayField(root, 'h_last', [numLayers, batch, hidden]),
    gradX: r.arrayField(root, 'grad_x', [batch, steps, inputSize]),
    loss,
    lengths: readLengths(r, root, batch, steps),
    mask: 'mask' in root ? r.arrayField(root, 'mask', [batch, steps]) : null,
    layers: layersRaw.map((l, i) => readLayer(r, l, i, i === 0 ? inputSize : hidden, hidden, batch)),
  };
}

/** Reads and validates a parity file from disk. */
export function loadParityFixture(path: string): ParityFixture {
  return parseParityFixture(readJsonFile(path), path);
}
