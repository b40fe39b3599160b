/**
 * A process that starts WASM with a given number of threads, through chooseBackend as a
 * training process does, runs the training jobs' own pre-training and baseline steps on a
 * small seeded model, then prints (one JSON line) the threads XNNPACK used, the losses and the
 * weights after the steps. wasmThreads.spec.ts runs it with one thread and with two and
 * compares: threads must not change what training does.
 *
 *   node --import tsx src-main/training/threadedStepProbe.ts THREADS SCRIPT_DIR [single]
 *
 * `single` uses the single-threaded build instead (THREADS is then ignored).
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '@shared/emotions';
import { drawMaskSpans } from '@shared/masking/masking';
import { paperTrainConfig } from '@shared/model/presets';
import { Rng } from '@shared/random';
import { chooseBackend } from './backend';
import { adamOptimizer } from './jobs/context';
import { maskBatchAt, pretrainStep } from './jobs/pretrain';
import { baselineStep } from './jobs/supervised';
import { Encoder, PaperModel } from './model/paperModel';
import type { SequenceBatch } from './sequences';
import { setWasmThreads, wasmThreads } from './wasmThreads';

const [threadsArg, scriptDir, mode] = process.argv.slice(2);

// WASM started as a training process starts it (0 threads: the single-threaded build).
const backend = await chooseBackend('wasm', { wasmThreads: mode === 'single' ? 0 : Number(threadsArg), wasmScriptDir: scriptDir });
if (backend.name !== 'wasm' || tf.getBackend() !== 'wasm') throw new Error(`WASM did not start: ${backend.reason}`);

/** A seeded batch of clips of different lengths (right-padded), as the jobs' sources give them. */
function batchOf(size: number, steps: number, seed: number): SequenceBatch {
  const rng = new Rng(seed);
  const x = new Float32Array(size * steps * FEATURE_COUNT);
  const mask = new Uint8Array(size * steps);
  const y = new Float32Array(size * 6);
  for (let b = 0; b < size; b++) {
    const length = rng.int(steps / 2, steps);
    for (let t = 0; t < length; t++) {
      mask[b * steps + t] = 1;
      for (let f = 0; f < FEATURE_COUNT; f++) x[(b * steps + t) * FEATURE_COUNT + f] = rng.normal();
    }
    for (let e = 0; e < 6; e++) y[b * 6 + e] = rng.int(0, 9) / 3;
  }
  return { size, x, mask, y };
}

const paper = paperTrainConfig();
const config = { ...paper, model: { ...paper.model, hiddenUnits: 48 } };
const steps = 24;
const values = (vars: tf.Variable[]) => vars.flatMap((v) => Array.from(v.dataSync()));

const encoder = Encoder.initial(config.model, 7, 'keras');
const pretrainOptimizer = adamOptimizer(config);
const pretrainLosses: number[] = [];
for (let i = 0; i < 3; i++) {
  const batch = batchOf(16, steps, i);
  const masked = maskBatchAt(batch, steps, { ...config.mask!, spanLength: 5 }, (clip, valid) => drawMaskSpans(valid, { ...config.mask!, spanLength: 5 }, new Rng(100 * i + clip)));
  pretrainLosses.push(await pretrainStep(pretrainOptimizer, encoder, batch, masked, steps));
  // Threads may change between steps, as the pool changes them while a run trains.
  if (mode !== 'single' && i === 0) setWasmThreads(1);
  if (mode !== 'single' && i === 1) setWasmThreads(Number(threadsArg));
}

const model = PaperModel.initial(config.model, 9, 'keras');
const baselineOptimizer = adamOptimizer(config);
const baselineLosses: number[] = [];
for (let i = 0; i < 2; i++) baselineLosses.push(await baselineStep(baselineOptimizer, model, batchOf(16, steps, 10 + i), steps));

const report = JSON.stringify({ threads: wasmThreads(), pretrainLosses, baselineLosses, encoder: values(encoder.variables()), model: values(model.variables()) });
// Exit once the line is out (the pthread workers would keep the process alive).
process.stdout.write(`${report}\n`, () => process.exit(0));
