/**
 * Checks the workbench's training maths against a reference file and prints how far it is.
 *
 *   npm run parity -- FILE.json [--backend cpu|wasm]
 *
 * Two formats, told apart by the file's `format`:
 * - 'train-trajectory v1' (test/fixtures/reference/train_parity_*.json): the training jobs' own
 *   steps run from the file's weights on its batches, in its three regimes (pre-training,
 *   frozen fine-tune, baseline); per regime the largest relative error of the losses before
 *   each step and the 99th percentile and maximum of |Δw_ours − Δw_ref| / lr over all weights.
 *   Exit code 1 when the masking differs, a loss differs by more than 1e-4 relative or a 99th
 *   percentile exceeds 1e-2.
 * - otherwise a GRU parity file (test/fixtures/reference/gru_parity_*.json): the fused GRU's
 *   outputs, final states, loss and gradients; relative error per quantity is
 *   max|ours - ref| / max(max|ref|, 1e-6). Exit code 1 when any exceeds 1e-4.
 * A bad file: one line on stderr naming the problem, exit code 1; a usage mistake: the usage, exit code 2.
 */
import * as tf from '@tensorflow/tfjs';
import { checkParity, formatParityTable, PARITY_TOLERANCE, worstRow } from './parityCheck';
import { parseParityFixture } from './parityFixture';
import { useBackend, type ToolBackend } from './toolBackend';
import { readJsonFile } from './jsonFixture';
import { checkTrajectory, formatTrajectoryTable, LOSS_TOLERANCE, UPDATE_P99_TOLERANCE } from './trajectoryCheck';
import { isTrajectoryFile, parseTrajectoryFixture } from './trajectoryFixture';
import { readCommandLine, usageFailure } from '../../cli/commandLine';

const COMMAND = {
  usage: [
    'Usage: npm run parity -- FILE.json [--backend cpu|wasm]',
    '',
    'Checks the training maths against a float64 reference file: a GRU parity file (outputs and gradients)',
    'or a training trajectory (format train-trajectory v1: the jobs\' own steps in three regimes).',
    '  --backend NAME     cpu (default) or wasm',
  ].join('\n'),
  options: { backend: { type: 'string' } },
  positionals: { min: 1, max: 1 },
} as const;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<number> {
  const { values, positionals } = readCommandLine(COMMAND);
  const backend = values.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm') usageFailure(COMMAND, `--backend must be cpu or wasm, not "${backend}".`);
  const args: { file: string; backend: ToolBackend } = { file: positionals[0], backend };
  try {
    const raw = readJsonFile(args.file);
    if (isTrajectoryFile(raw)) {
      const fixture = parseTrajectoryFixture(raw, args.file);
      await useBackend(args.backend);
      return await trajectory(args.file, fixture);
    }
    const fixture = parseParityFixture(raw, args.file);
    await useBackend(args.backend);
    return gru(args.file, fixture);
  } catch (error) {
    process.stderr.write(`parity: ${messageOf(error)}\n`);
    return 1;
  }
}

function gru(file: string, fixture: ReturnType<typeof parseParityFixture>): number {
  const rows = checkParity(fixture);
  const worst = worstRow(rows);
  const padding = fixture.lengths === null ? 'none' : `lengths [${fixture.lengths.join(', ')}]`;
  process.stdout.write(
    `${file}\nbackend ${tf.getBackend()}, float32; B=${fixture.batch} T=${fixture.steps} D=${fixture.inputSize} ` +
      `H=${fixture.hiddenSize}, ${fixture.layers.length} layer(s), padding: ${padding}\n\n${formatParityTable(rows)}\n\n`,
  );
  const ok = worst.relativeError <= PARITY_TOLERANCE;
  const verdict = ok ? 'PASS' : 'FAIL';
  process.stdout.write(`${verdict}: largest relative error ${worst.relativeError.toExponential(3)} (${worst.quantity}), tolerance ${PARITY_TOLERANCE}\n`);
  return ok ? 0 : 1;
}

async function trajectory(file: string, fx: ReturnType<typeof parseTrajectoryFixture>): Promise<number> {
  const result = await checkTrajectory(fx);
  const { model, optimizer: o, mask } = fx;
  process.stdout.write(
    `${file}\nbackend ${tf.getBackend()}, float32; B=${fx.batchSize} T=${fx.steps} H=${model.hiddenUnits}, ${model.gruLayers} GRU layer(s), ` +
      `${fx.batches.length} Adam steps (lr ${o.learningRate}, beta1 ${o.adam.beta1}, beta2 ${o.adam.beta2}, epsilon ${o.adam.epsilon}); ` +
      `head on ${model.headInput} (${model.pooling}), loss on ${mask.lossScope} steps, mask value ${mask.value}\n\n${formatTrajectoryTable(result)}\n\n`,
  );
  const failing = result.regimes.filter((r) => !r.ok).map((r) => r.regime);
  const what = [...(result.masking.mismatch === null ? [] : ['masking']), ...failing];
  const verdict = result.ok ? 'PASS' : `FAIL (${what.join(', ')})`;
  process.stdout.write(`${verdict}: tolerances ${LOSS_TOLERANCE} relative on losses, ${UPDATE_P99_TOLERANCE} on the 99th percentile of |Δw_ours − Δw_ref| / lr\n`);
  return result.ok ? 0 : 1;
}

process.exitCode = await main();
