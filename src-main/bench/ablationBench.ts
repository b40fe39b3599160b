/**
 * The Quick ablation's wall time (`--import tsx`): `mask.spanLength = 5, 15, 30` over the quick
 * preset's first three label counts with 2 repeats, from scratch on the built-in positive control, with 1
 * and then 2 training processes (3 pre-trainings, one shared baseline arm). After the first, the
 * projection the Experiments form shows is computed from that run's measured speeds (converted to
 * one thread by the threads each run recorded) for the same plan with 1 and 2 processes sharing
 * the cores as the pool would then, and printed beside the measured times, with the projection
 * that takes every run's seconds as measured whatever runs beside it (as before runs recorded
 * their threads).
 */
import { rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { POSITIVE_CONTROL_ID } from '@shared/data/controls';
import { experimentPlan } from '@shared/experiments/presets';
import { measuredSpeeds, projectExperiment, speedUp, threadScaling, type Pool } from '@shared/experiments/projection';
import { openHeadless } from '../cli/headless';
import { checkPlan, type ExperimentRequest } from '../experiments/planRules';
import { measuredRuns, plannedJobs } from '../experiments/experimentPreview';

const REQUEST: ExperimentRequest = {
  datasetId: POSITIVE_CONTROL_ID,
  preset: 'quick',
  labelCounts: experimentPlan('quick').labelCounts.slice(0, 3),
  repeats: 2,
  factors: [{ field: 'mask.spanLength', values: [5, 15, 30] }],
};

const load = () => loadavg()[0].toFixed(1);

interface Measured {
  seconds: number;
  projected: (workers: number) => { shared: number | null; asMeasured: number | null; threads: string; scaling: string };
}

async function ablationWallTime(workDir: string, workers: number): Promise<Measured> {
  const dataDir = join(workDir, `quick-ablation-${workers}`);
  rmSync(dataDir, { recursive: true, force: true });
  const headless = await openHeadless(dataDir, workers);
  const { events, experiments } = headless;
  const loadBefore = load();
  const started = performance.now();
  const done = new Promise<string>((resolve) => events.subscribe((name, p) => name === 'experiment.status' && resolve((p as { status: string }).status)));
  const { runsTotal } = experiments.start(REQUEST);
  const status = await done;
  const seconds = (performance.now() - started) / 1000;
  const pretrains = headless.runs.list().filter((r) => r.kind === 'pretrain').length;
  console.log(`  ${workers} training process${workers > 1 ? 'es' : ''}: ${status}, ${pretrains} pre-trainings + ${runsTotal} runs in ${seconds.toFixed(0)} s (1-minute load average ${loadBefore} before, ${load()} after)`);
  // The same plan projected from this run's speeds as if nothing were trained yet (the form's number for a fresh data directory).
  const deps = { runs: headless.runs, datasets: headless.datasets };
  const backend = headless.training.backendInfo();
  const { jobs } = plannedJobs(checkPlan(REQUEST, { datasets: headless.datasets, training: headless.training }), deps);
  const fresh = { ...jobs, pretrainings: jobs.pretrainings.map((p) => ({ ...p, done: false, encoded: false })) };
  const runs = backend ? measuredRuns(deps).filter((r) => r.backend === backend.name) : [];
  const threads = runs.flatMap((r) => (r.threads === null ? [] : [r.threads]));
  const scaling = threadScaling(runs);
  const speeds = measuredSpeeds(runs, scaling);
  const sharing = headless.training.coreSharing();
  const asMeasured = measuredSpeeds(runs.map((r) => ({ ...r, threads: null })));
  await headless.close();
  return {
    seconds,
    projected: (w) => {
      const pool: Pool = { workers: w, ...sharing, scaling };
      return {
        shared: backend ? projectExperiment(fresh, speeds, pool).seconds : null,
        asMeasured: backend ? projectExperiment(fresh, asMeasured, w).seconds : null,
        threads: threads.length ? `runs' mean threads ${Math.min(...threads).toFixed(2)}-${Math.max(...threads).toFixed(2)}` : 'no thread counts recorded',
        scaling: `${sharing.cores} of ${availableParallelism()} cores shared (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), 2 threads ${speedUp(2, scaling).toFixed(2)}x of 1 (${scaling.source === 'measured' ? 'measured from the runs' : 'the bench figure'})`,
      };
    },
  };
}

const workDir = process.argv[2];
const one = await ablationWallTime(workDir, 1);
const two = await ablationWallTime(workDir, 2);
console.log(`  speed-up with 2 processes: ${(one.seconds / two.seconds).toFixed(2)}x`);
const text = (s: number | null) => (s === null ? 'unknown' : `${s.toFixed(0)} s`);
for (const [w, measured] of [[1, one.seconds], [2, two.seconds]] as const) {
  const p = one.projected(w);
  if (w === 1) console.log(`  projections from the 1-process run's speeds (${p.threads}; ${p.scaling}):`);
  console.log(`    ${w} process${w > 1 ? 'es' : ''}: ${text(p.shared)} sharing the cores as the pool does, ${text(p.asMeasured)} taking each run's time as measured (measured ${measured.toFixed(0)} s)`);
}
