/**
 * The Quick ablation's wall time (`--import tsx`): `mask.spanLength = 5, 15, 30` over the quick
 * preset's first three label counts with 2 repeats, from scratch on the built-in dataset, with 1
 * and then 2 training processes (3 pre-trainings, one shared baseline arm). After the first, the
 * projection the Experiments form shows is computed from that run's measured speeds for the
 * same plan with 2 processes, and printed beside the measured time.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { experimentPlan } from '@shared/experiments/presets';
import { measuredSpeeds, projectExperiment } from '@shared/experiments/projection';
import { openHeadless } from '../cli/headless';
import { checkPlan, type ExperimentRequest } from '../experiments/planRules';
import { measuredRuns, plannedJobs } from '../experiments/experimentPreview';

const REQUEST: ExperimentRequest = {
  datasetId: 'builtin-small',
  preset: 'quick',
  labelCounts: experimentPlan('quick').labelCounts.slice(0, 3),
  repeats: 2,
  factors: [{ field: 'mask.spanLength', values: [5, 15, 30] }],
};

async function ablationWallTime(workDir: string, workers: number): Promise<{ seconds: number; projected: (w: number) => number | null }> {
  const dataDir = join(workDir, `quick-ablation-${workers}`);
  rmSync(dataDir, { recursive: true, force: true });
  const headless = await openHeadless(dataDir, workers);
  const { events, experiments } = headless;
  const started = performance.now();
  const done = new Promise<string>((resolve) => events.subscribe((name, p) => name === 'experiment.status' && resolve((p as { status: string }).status)));
  const { runsTotal } = experiments.start(REQUEST);
  const status = await done;
  const seconds = (performance.now() - started) / 1000;
  const pretrains = headless.runs.list().filter((r) => r.kind === 'pretrain').length;
  console.log(`  ${workers} training process${workers > 1 ? 'es' : ''}: ${status}, ${pretrains} pre-trainings + ${runsTotal} runs in ${seconds.toFixed(0)} s`);
  // The same plan projected from this run's speeds as if nothing were trained yet (the form's number for a fresh data directory).
  const deps = { runs: headless.runs, datasets: headless.datasets, training: headless.training };
  const backend = headless.training.backendInfo();
  const { jobs } = plannedJobs(checkPlan(REQUEST, { datasets: headless.datasets, training: headless.training }), deps);
  const fresh = { ...jobs, pretrainings: jobs.pretrainings.map((p) => ({ ...p, done: false, encoded: false })) };
  const speeds = backend ? measuredSpeeds(measuredRuns(deps, backend.name)) : null;
  await headless.close();
  return { seconds, projected: (w) => (speeds ? projectExperiment(fresh, speeds, w).seconds : null) };
}

const workDir = process.argv[2];
const one = await ablationWallTime(workDir, 1);
const two = await ablationWallTime(workDir, 2);
console.log(`  speed-up with 2 processes: ${(one.seconds / two.seconds).toFixed(2)}x`);
for (const [w, measured] of [[1, one.seconds], [2, two.seconds]] as const) {
  const p = one.projected(w);
  console.log(`  projected from the 1-process run's speeds, ${w} process${w > 1 ? 'es' : ''}: ${p === null ? 'unknown' : `${p.toFixed(0)} s`} (measured ${measured.toFixed(0)} s)`);
}
