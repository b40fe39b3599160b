import * as tf from '@tensorflow/tfjs';

/**
 * Dense applied at every timestep: x [B, T, H] · kernel [H, N] + bias [N] -> [B, T, N], with
 * a hand-written gradient.
 *
 * Porting note: autograd's matMul gradient multiplies with transposeA / transposeB, which
 * the wasm backend runs outside XNNPACK, 15-25x slower than an explicit tf.transpose and a
 * plain matMul; for Dense(74) on the paper's [32 x 300] rows that was ~0.4 s of a ~2.5 s
 * training step. Here every product takes explicitly transposed operands, and the bias
 * gradient comes out of the kernel's product through a ones column (a tf.sum over the rows
 * transposes internally).
 */
export function timeDistributedDense(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [batch, steps, units] = x.shape;
  const outputs = kernel.shape[1];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[3] as tf.GradSaveFunc;
    const [xIn, w, b] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D];
    const rows = tf.reshape(xIn, [batch * steps, units]) as tf.Tensor2D;
    save([rows, w]);
    return {
      value: tf.reshape(tf.add(tf.matMul(rows, w), b), [batch, steps, outputs]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedRows, savedKernel] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dyRows = tf.reshape(dy, [batch * steps, outputs]) as tf.Tensor2D;
        const dx = tf.reshape(tf.matMul(dyRows, tf.transpose(savedKernel)), [batch, steps, units]);
        // [rows | 1]^T · dy: the kernel's gradient and, in its last row, the bias's.
        const augmentedT = tf.transpose(tf.concat([savedRows, tf.ones([batch * steps, 1])], 1));
        const [dKernel, dBias] = tf.split(tf.matMul(augmentedT, dyRows), [units, 1], 0);
        return [dx, dKernel, tf.reshape(dBias, [outputs])];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor3D;
}
