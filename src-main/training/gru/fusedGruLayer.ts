/**
 * FusedGRU: a tf.layers Layer running the fused reset_after GRU of fusedGru.ts.
 *
 * Drop-in for `tf.layers.gru` in a model (units, returnSequences, returnState, masking from a
 * Masking layer or an explicit `mask`, initial state), with Keras' GRU(reset_after=True)
 * weights: `kernel` [D, 3H], `recurrent_kernel` [H, 3H], `bias` [2, 3H] (input row, recurrent
 * row), gate order z, r, h, so Keras / PyTorch-converted weights load with setWeights.
 *
 * Porting notes:
 * - tfjs-layers' GRUCell throws for `resetAfter: true`, and its GRU is the reset_before variant
 *   with a [3H] bias and hardSigmoid/glorotNormal defaults. This layer follows Keras 2+ and
 *   PyTorch instead: sigmoid recurrent activation, glorotUniform kernel, orthogonal recurrent
 *   kernel (the whole [H, 3H] matrix, from the workbench's initialiser module: seeded, and
 *   quiet where tfjs's Orthogonal warns), zero bias. Those activations are fixed (the
 *   backward pass is written for them).
 * - Padded steps keep the state; their output is the carried state, as tfjs/Keras rnn() do,
 *   unless `zeroOutputForMask` (the name Keras uses for the same switch) asks for zeros.
 * - Not supported (the constructor says so): dropout, recurrentDropout, goBackwards, stateful.
 */
import * as tf from '@tensorflow/tfjs';
import { gruFinalState, gruOutputs, gruSequence, type GruSequenceOptions, type GruWeights } from './fusedGru';
import {
  serializeObject,
  toConstraint,
  toInitializer,
  toRegularizer,
  type Constraint,
  type ConstraintSpec,
  type Initializer,
  type InitializerSpec,
  type Regularizer,
  type RegularizerSpec,
} from './layerConfig';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
/** tfjs passes call() options as an untyped bag (its own type is `{[key: string]: any}`). */
type CallKwargs = Record<string, unknown>;

export interface FusedGRUArgs extends LayerArgs {
  units: number;
  returnSequences?: boolean;
  returnState?: boolean;
  /** Output at padded steps: false (default) = carried state, true = zeros. */
  zeroOutputForMask?: boolean;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  recurrentInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: RegularizerSpec | null;
  recurrentRegularizer?: RegularizerSpec | null;
  biasRegularizer?: RegularizerSpec | null;
  kernelConstraint?: ConstraintSpec | null;
  recurrentConstraint?: ConstraintSpec | null;
  biasConstraint?: ConstraintSpec | null;
  // Accepted so tf.layers.gru / Keras GRU configs carry over; anything but these values throws.
  activation?: 'tanh';
  recurrentActivation?: 'sigmoid';
  resetAfter?: boolean;
  dropout?: number;
  recurrentDropout?: number;
  goBackwards?: boolean;
  stateful?: boolean;
  unroll?: boolean;
  implementation?: number;
}

/** Fails loudly on settings the fused kernel does not implement, rather than silently ignoring them. */
function rejectUnsupported(args: FusedGRUArgs): void {
  const problems: string[] = [];
  if (!Number.isInteger(args.units) || args.units < 1) problems.push(`units must be a positive integer, got ${args.units}`);
  if (args.activation != null && args.activation !== 'tanh') problems.push(`activation must be 'tanh', got '${args.activation}'`);
  if (args.recurrentActivation != null && args.recurrentActivation !== 'sigmoid') {
    problems.push(`recurrentActivation must be 'sigmoid', got '${args.recurrentActivation}'`);
  }
  if (args.resetAfter === false) problems.push('only the reset_after variant is implemented (resetAfter: true)');
  if ((args.dropout ?? 0) !== 0 || (args.recurrentDropout ?? 0) !== 0) problems.push('dropout and recurrentDropout are not supported');
  if (args.goBackwards === true) problems.push('goBackwards is not supported');
  if (args.stateful === true) problems.push('stateful is not supported');
  if (problems.length > 0) throw new Error(`FusedGRU: ${problems.join('; ')}`);
}

function firstShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
  return Array.isArray(shape[0]) ? (shape as tf.Shape[])[0] : (shape as tf.Shape);
}

function firstTensor<T extends tf.Tensor>(value: unknown): T | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return first instanceof tf.Tensor ? (first as T) : undefined;
}

export class FusedGRU extends tf.layers.Layer {
  static className = 'FusedGRU';

  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly zeroOutputForMask: boolean;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly recurrentInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private readonly kernelRegularizer: Regularizer | undefined;
  private readonly recurrentRegularizer: Regularizer | undefined;
  private readonly biasRegularizer: Regularizer | undefined;
  private readonly kernelConstraint: Constraint | undefined;
  private readonly recurrentConstraint: Constraint | undefined;
  private readonly biasConstraint: Constraint | undefined;
  private kernel: tf.LayerVariable | null = null;
  private recurrentKernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: FusedGRUArgs) {
    super(args);
    rejectUnsupported(args);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = toInitializer(args.kernelInitializer, 'glorotUniform');
    this.recurrentInitializer = toInitializer(args.recurrentInitializer, 'orthogonal');
    this.biasInitializer = toInitializer(args.biasInitializer, 'zeros');
    this.kernelRegularizer = toRegularizer(args.kernelRegularizer);
    this.recurrentRegularizer = toRegularizer(args.recurrentRegularizer);
    this.biasRegularizer = toRegularizer(args.biasRegularizer);
    this.kernelConstraint = toConstraint(args.kernelConstraint);
    this.recurrentConstraint = toConstraint(args.recurrentConstraint);
    this.biasConstraint = toConstraint(args.biasConstraint);
    this.supportsMasking = true;
    this.inputSpec = [new tf.InputSpec({ ndim: 3 })];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = firstShape(inputShape);
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) throw new Error(`FusedGRU: the feature dimension of the input must be known, got shape [${shape.join(', ')}]`);
    const u = this.units;
    this.kernel = this.addWeight('kernel', [inputDim, 3 * u], 'float32', this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 3 * u], 'float32', this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
    if (this.useBias) {
      this.bias = this.addWeight('bias', [2, 3 * u], 'float32', this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    }
    this.inputSpec = [new tf.InputSpec({ shape: [null, null, inputDim] })];
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const [batch, steps] = firstShape(inputShape);
    const output: tf.Shape = this.returnSequences ? [batch, steps, this.units] : [batch, this.units];
    return this.returnState ? [output, [batch, this.units]] : output;
  }

  /** The input mask passes on with the sequence output; a final state or returned state has none. */
  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const outputMask = this.returnSequences ? (firstTensor(mask) ?? null) : null;
    // tfjs represents "no mask" as null although its declared return type has no null.
    return (this.returnState ? [outputMask, null] : outputMask) as unknown as tf.Tensor | tf.Tensor[];
  }

  private currentWeights(): GruWeights {
    if (this.kernel === null || this.recurrentKernel === null) throw new Error('FusedGRU: call() before build()');
    const kernel = this.kernel.read() as tf.Tensor2D;
    return {
      kernel,
      recurrentKernel: this.recurrentKernel.read() as tf.Tensor2D,
      bias: this.bias !== null ? (this.bias.read() as tf.Tensor2D) : tf.zeros([2, 3 * this.units]),
    };
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      const options: GruSequenceOptions = {
        // An explicit mask wins; otherwise use the one a Masking layer attached in eager mode.
        mask: firstTensor(kwargs['mask']) ?? x.kerasMask ?? undefined,
        initialState: firstTensor<tf.Tensor2D>(kwargs['initialState']) ?? (list[1] as tf.Tensor2D | undefined),
        zeroOutputForMask: this.zeroOutputForMask,
      };
      const weights = this.currentWeights();
      if (!this.returnState) return this.returnSequences ? gruOutputs(x, weights, options) : gruFinalState(x, weights, options);
      if (this.returnSequences) {
        const { outputs, finalState } = gruSequence(x, weights, options);
        return [outputs, finalState];
      }
      const finalState = gruFinalState(x, weights, options);
      return [finalState, tf.clone(finalState)];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      zeroOutputForMask: this.zeroOutputForMask,
      useBias: this.useBias,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      resetAfter: true,
      kernelInitializer: serializeObject(this.kernelInitializer),
      recurrentInitializer: serializeObject(this.recurrentInitializer),
      biasInitializer: serializeObject(this.biasInitializer),
      kernelRegularizer: serializeObject(this.kernelRegularizer),
      recurrentRegularizer: serializeObject(this.recurrentRegularizer),
      biasRegularizer: serializeObject(this.biasRegularizer),
      kernelConstraint: serializeObject(this.kernelConstraint),
      recurrentConstraint: serializeObject(this.recurrentConstraint),
      biasConstraint: serializeObject(this.biasConstraint),
    };
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(FusedGRU);

/** Factory in the style of tf.layers.gru. */
export function fusedGru(args: FusedGRUArgs): FusedGRU {
  return new FusedGRU(args);
}
