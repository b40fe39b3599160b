/**
 * Experiment figures (`--import tsx`): the quick preset's wall time on the positive control
 * (real training processes, as the app runs it), with 1 and 2 processes. The paper preset's
 * projection is the `paper` section (trainingSections.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { POSITIVE_CONTROL_ID } from '@shared/data/controls';
import { experimentPlan, supervisedConfig } from '@shared/experiments/presets';
import { chooseBackend } from '../training/backend';
import { defaultWorkers } from '../training/trainingService';
import { openHeadless } from '../cli/headless';

/** The quick preset from scratch with `workers` training processes: seconds and jobs per minute. */
async function quickPresetWallTime(workDir: string, workers: number): Promise<number> {
  const dataDir = join(workDir, `quick-experiment-${workers}`);
  rmSync(dataDir, { recursive: true, force: true });
  const headless = await openHeadless(dataDir, workers);
  const { events, experiments } = headless;
  // The bench process plays main here: how long its event loop stalls while every training process is busy.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  const done = new Promise<string>((resolve) => events.subscribe((name, p) => name === 'experiment.status' && resolve((p as { status: string }).status)));
  const { runsTotal } = experiments.start({ datasetId: POSITIVE_CONTROL_ID, preset: 'quick' });
  const status = await done;
  await headless.close();
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  console.log(`  quick preset, ${workers} training process${workers > 1 ? 'es' : ''}: ${status}, 1 pre-training + ${runsTotal} runs in ${seconds.toFixed(0)} s (${(((runsTotal + 1) / seconds) * 60).toFixed(1)} jobs/min)`);
  console.log(`    main's event loop meanwhile: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`);
  return seconds;
}

/** The quick preset's baseline arm alone (a run per label count and repeat, no dependencies) with `workers` processes. */
async function baselineArm(workDir: string, workers: number): Promise<number> {
  const dataDir = join(workDir, `baseline-arm-${workers}`);
  rmSync(dataDir, { recursive: true, force: true });
  const headless = await openHeadless(dataDir, workers);
  const plan = experimentPlan('quick');
  const ids = new Set<number>();
  const started = performance.now();
  const done = new Promise<void>((resolve) =>
    headless.events.subscribe((name, p) => {
      const s = p as { runId: number; status: string };
      if (name === 'run.status' && s.status === 'done' && ids.delete(s.runId) && ids.size === 0) resolve();
    }),
  );
  for (const n of plan.labelCounts) {
    for (let r = 0; r < plan.repeats; r++) ids.add(headless.training.start({ datasetId: POSITIVE_CONTROL_ID, kind: 'baseline', config: supervisedConfig(plan, n, r) }).id);
  }
  const jobs = ids.size;
  await done;
  const seconds = (performance.now() - started) / 1000;
  await headless.close();
  console.log(`  baseline arm (${jobs} runs), ${workers} process${workers > 1 ? 'es' : ''}: ${seconds.toFixed(0)} s (${((jobs / seconds) * 60).toFixed(1)} jobs/min)`);
  return seconds;
}

const workDir = process.argv[2];
mkdirSync(workDir, { recursive: true });
const backend = await chooseBackend(process.env.MOSEI_BACKEND);
console.log(`  backend ${backend.name} (${backend.reason})`);
const defaultPool = defaultWorkers(backend);
const armOne = await baselineArm(workDir, 1);
const armTwo = await baselineArm(workDir, 2);
console.log(`  baseline arm speed-up with 2 processes: ${(armOne / armTwo).toFixed(2)}x`);
const one = await quickPresetWallTime(workDir, 1);
const two = await quickPresetWallTime(workDir, 2);
console.log(`  speed-up with 2 processes: ${(one / two).toFixed(2)}x`);
if (defaultPool !== 1 && defaultPool !== 2) console.log(`  speed-up with the default ${defaultPool}: ${(one / (await quickPresetWallTime(workDir, defaultPool))).toFixed(2)}x`);
else console.log(`  the default pool on this machine is ${defaultPool} (one per core on ${backend.name})`);
