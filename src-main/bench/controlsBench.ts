/**
 * The Quick preset on the built-in controls (`--import tsx`), headless and from a fresh data
 * directory, as the app runs it: for the positive and then the negative control, per label
 * count and arm, 4-class accuracy and MAE (mean ± sd over repeats), the trivial predictors on
 * the same validation segments, binary F1 per emotion, paired tests with Holm's correction,
 * the checks each control is built to pass, and the wall time.
 *
 *   tsx src-main/bench/controlsBench.ts WORK_DIR [positive|negative]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_NAMES, NEGATIVE_CONTROL_ID, POSITIVE_CONTROL_ID, type ControlRole } from '@shared/data/controls';
import { sampleLabelled } from '@shared/data/sampling';
import { experimentPlan } from '@shared/experiments/presets';
import { openHeadless, type Headless } from '../cli/headless';
import { analyseSweep, formatSweep, negativeChecks, negativeReading, positiveChecks, type SweepRun } from './controlsReport';

const IDS: Record<ControlRole, string> = { positive: POSITIVE_CONTROL_ID, negative: NEGATIVE_CONTROL_ID };

/** Runs the Quick preset on one control and prints what it found; resolves to whether every check held. */
async function sweepControl(headless: Headless, role: ControlRole): Promise<boolean> {
  const { experiments, datasets, runs, events } = headless;
  const datasetId = IDS[role];
  const dataset = datasets.get(datasetId);
  const started = performance.now();
  let pretrainSeconds: number | null = null;
  const experiment = experiments.start({ datasetId, preset: 'quick', name: `Controls bench: ${CONTROL_NAMES[role]}` });
  const done = new Promise<{ status: string; error: string | null }>((resolve) => {
    events.subscribe((name, payload) => {
      const p = payload as { id?: number; runId?: number; status: string; error: string | null };
      if (name === 'run.status' && p.runId === experiment.pretrainRunId && p.status === 'done') {
        pretrainSeconds = (performance.now() - started) / 1000;
      }
      if (name === 'experiment.status' && p.id === experiment.id) resolve(p);
    });
  });
  const outcome = await done;
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n### ${dataset.name} (${datasetId}): ${dataset.segments} segments`);
  if (outcome.status !== 'done') {
    console.log(`  The sweep ended ${outcome.status}: ${outcome.error ?? 'no reason given'}`);
    return false;
  }
  const plan = experimentPlan('quick');
  const split = datasets.split(datasetId, plan.supervised.split).assignment;
  const rows = datasets.segments(datasetId);
  const sweepRuns: SweepRun[] = runs
    .ofExperiment(experiment.id)
    .filter((r) => r.kind !== 'pretrain' && r.status === 'done')
    .map((r) => ({ arm: r.kind === 'finetune' ? 'ssl' : 'baseline', labelCount: r.labelCount!, repeat: r.repeat!, metrics: runs.metricsOf(r.id) }));
  const sweep = analyseSweep(sweepRuns, {
    validation: split.validation.map((i) => rows[i].emotions),
    labelled: (n, repeat) => sampleLabelled(split.train, n, repeat).map((i) => rows[i].emotions),
  });
  const checks = role === 'positive' ? positiveChecks(sweep) : negativeChecks(sweep);
  console.log(`  Quick preset, ${split.train.length} training / ${split.validation.length} validation segments, ${sweep.repeats} repeats: ${seconds.toFixed(0)} s wall time (pre-training ${pretrainSeconds === null ? 'reused' : `${(pretrainSeconds as number).toFixed(0)} s`}), ${headless.training.poolSize()} training processes, backend ${headless.training.backendInfo()?.name ?? 'unknown'}`);
  console.log(`  Trivial predictors on the same validation segments: "always 0" predicts 0 for every emotion; "label mean" predicts each repeat's labelled sample's mean per emotion.\n`);
  for (const line of formatSweep(sweep, checks)) console.log(line);
  if (role === 'negative') for (const line of ['', ...negativeReading(sweep)]) console.log(line);
  return checks.every((c) => c.holds);
}

const [workDir, only] = process.argv.slice(2);
const roles: ControlRole[] = only === 'positive' || only === 'negative' ? [only] : ['positive', 'negative'];
const dataDir = join(workDir, 'controls');
rmSync(dataDir, { recursive: true, force: true });
const headless = await openHeadless(dataDir);
try {
  const held: boolean[] = [];
  for (const role of roles) held.push(await sweepControl(headless, role));
  console.log(`\n  Every check held: ${held.every(Boolean) ? 'yes' : 'no'}`);
} finally {
  headless.close();
  rmSync(dataDir, { recursive: true, force: true });
}
