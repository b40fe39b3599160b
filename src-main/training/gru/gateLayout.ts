/**
 * Converting GRU parameters between the PyTorch/cuDNN and the Keras layout.
 *
 * Both compute the same reset_after cell; they differ only in storage:
 *   PyTorch  weight_ih [3H, D], weight_hh [3H, H], bias_ih [3H], bias_hh [3H]; gate rows r, z, n.
 *   Keras    kernel [D, 3H], recurrent_kernel [H, 3H], bias [2, 3H] (row 0 input, row 1 recurrent);
 *            gate columns z, r, h.
 * So Keras = transpose of PyTorch with the first two gate blocks swapped.
 * Gradients convert exactly like the parameters they belong to.
 */

/** A row-major host array with its shape. */
export interface HostArray {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

export interface TorchGruParams {
  readonly weightIh: HostArray;
  readonly weightHh: HostArray;
  readonly biasIh: HostArray;
  readonly biasHh: HostArray;
}

export interface KerasGruParams {
  readonly kernel: HostArray;
  readonly recurrentKernel: HostArray;
  readonly bias: HostArray;
}

/** For Keras gate block k (z, r, h), the PyTorch gate block holding the same gate (r, z, n order). */
const TORCH_BLOCK_OF_KERAS_BLOCK = [1, 0, 2] as const;
/** The block swap is its own inverse. */
const KERAS_BLOCK_OF_TORCH_BLOCK = TORCH_BLOCK_OF_KERAS_BLOCK;

function hiddenOf(threeH: number): number {
  if (threeH % 3 !== 0) throw new Error(`gate dimension ${threeH} is not a multiple of 3`);
  return threeH / 3;
}

/** Gate-major [3H, n] (PyTorch) to [n, 3H] (Keras), reordering gate blocks. */
function torchMatrixToKeras(m: HostArray): HostArray {
  const [threeH, n] = m.shape;
  const h = hiddenOf(threeH);
  const out = new Float64Array(threeH * n);
  for (let k = 0; k < 3; k++) {
    const src = TORCH_BLOCK_OF_KERAS_BLOCK[k];
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < n; i++) out[i * threeH + k * h + j] = m.data[(src * h + j) * n + i];
    }
  }
  return { data: out, shape: [n, threeH] };
}

/** [n, 3H] (Keras) to gate-major [3H, n] (PyTorch), reordering gate blocks. */
function kerasMatrixToTorch(m: HostArray): HostArray {
  const [n, threeH] = m.shape;
  const h = hiddenOf(threeH);
  const out = new Float64Array(threeH * n);
  for (let p = 0; p < 3; p++) {
    const src = KERAS_BLOCK_OF_TORCH_BLOCK[p];
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < n; i++) out[(p * h + j) * n + i] = m.data[i * threeH + src * h + j];
    }
  }
  return { data: out, shape: [threeH, n] };
}

function reorderBlocks(v: Float64Array, h: number, blockOf: readonly number[]): Float64Array {
  const out = new Float64Array(3 * h);
  for (let k = 0; k < 3; k++) out.set(v.subarray(blockOf[k] * h, (blockOf[k] + 1) * h), k * h);
  return out;
}

export function torchToKeras(p: TorchGruParams): KerasGruParams {
  const h = hiddenOf(p.biasIh.shape[0]);
  const bias = new Float64Array(6 * h);
  bias.set(reorderBlocks(p.biasIh.data, h, TORCH_BLOCK_OF_KERAS_BLOCK), 0);
  bias.set(reorderBlocks(p.biasHh.data, h, TORCH_BLOCK_OF_KERAS_BLOCK), 3 * h);
  return {
    kernel: torchMatrixToKeras(p.weightIh),
    recurrentKernel: torchMatrixToKeras(p.weightHh),
    bias: { data: bias, shape: [2, 3 * h] },
  };
}

export function kerasToTorch(p: KerasGruParams): TorchGruParams {
  const h = hiddenOf(p.bias.shape[1]);
  return {
    weightIh: kerasMatrixToTorch(p.kernel),
    weightHh: kerasMatrixToTorch(p.recurrentKernel),
    biasIh: { data: reorderBlocks(p.bias.data.subarray(0, 3 * h), h, KERAS_BLOCK_OF_TORCH_BLOCK), shape: [3 * h] },
    biasHh: { data: reorderBlocks(p.bias.data.subarray(3 * h), h, KERAS_BLOCK_OF_TORCH_BLOCK), shape: [3 * h] },
  };
}
