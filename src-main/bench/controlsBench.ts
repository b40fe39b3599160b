/**
 * The Quick preset on the built-in controls (`--import tsx`), as a user runs it headless and
 * from a fresh data directory: `npm run experiment -- --preset quick --dataset ID --json` for
 * the positive and then the negative control; then, from the experiment's results, per label
 * count and arm 4-class accuracy and MAE (mean ± sd over repeats) beside the reference
 * predictors on the same segments, binary F1 per emotion, the flagged runs, paired tests with
 * Holm's correction, what the results support in plain words (and that the command's
 * --json `conclusions` say the same), the checks each control is built to pass, and the wall time.
 *
 *   tsx src-main/bench/controlsBench.ts WORK_DIR [positive|negative]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONTROL_NAMES, NEGATIVE_CONTROL_ID, POSITIVE_CONTROL_ID, type ControlRole } from '@shared/data/controls';
import { experimentConclusions } from '@shared/experiments/conclusions';
import { REFERENCE_METHOD } from '@shared/experiments/references';
import { DEGENERATE_RULE } from '@shared/metrics/degenerate';
import { openHeadless } from '../cli/headless';
import { formatSweep, negativeChecks, positiveChecks, type Check } from './controlsReport';

const ROOT = resolve(import.meta.dirname, '..', '..');
const IDS: Record<ControlRole, string> = { positive: POSITIVE_CONTROL_ID, negative: NEGATIVE_CONTROL_ID };

/** Runs the Quick preset on one control through the command line and prints what it found; resolves to the claims of the checks that failed. */
async function sweepControl(dataDir: string, role: ControlRole): Promise<string[]> {
  const datasetId = IDS[role];
  const started = performance.now();
  const command = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src-main/cli/experiment.ts'), '--preset', 'quick', '--dataset', datasetId, '--json', '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (command.status !== 0) {
    console.log(`\n### ${datasetId}: npm run experiment exited with ${command.status ?? command.signal}:\n${command.stderr.toString().trim().split('\n').slice(-5).join('\n')}`);
    return [`npm run experiment exited with ${command.status ?? command.signal}`];
  }
  // The JSON document, after any line the data directory's opening printed.
  const stdout = command.stdout.toString().replace(/^(?!\{)[^]*?\n(?=\{)/, '');
  const printed = JSON.parse(stdout) as { experiment: { id: number; status: string; error: string | null }; conclusions: string[] };
  const headless = await openHeadless(dataDir);
  try {
    const dataset = headless.datasets.get(datasetId);
    console.log(`\n### ${dataset.name} (${datasetId}): ${dataset.segments} segments`);
    if (printed.experiment.status !== 'done') {
      console.log(`  The sweep ended ${printed.experiment.status}: ${printed.experiment.error ?? 'no reason given'}`);
      return [`the sweep ended ${printed.experiment.status}`];
    }
    const results = headless.experiments.results(printed.experiment.id);
    const pretrain = headless.runs.ofExperiment(printed.experiment.id).find((r) => r.kind === 'pretrain')!;
    const pretrainSeconds = (Date.parse(pretrain.finishedAt!) - Date.parse(pretrain.startedAt!)) / 1000;
    const plan = results.experiment;
    const split = headless.datasets.split(datasetId, headless.runs.detail(pretrain.id).config.split).assignment;
    const checks: Check[] = [
      ...(role === 'positive' ? positiveChecks(results) : negativeChecks(results)),
      {
        holds: JSON.stringify(printed.conclusions) === JSON.stringify(experimentConclusions(results).sentences),
        claim: 'npm run experiment -- --json prints the same conclusions as the results give the views',
      },
    ];
    console.log(
      `  Quick preset (npm run experiment -- --preset quick --dataset ${datasetId} --json), ${split.train.length} training / ${split.validation.length} validation / ${split.test?.length ?? 0} test segments, ` +
        `${plan.repeats} repeats, numbers on the ${results.split} split: ${seconds.toFixed(0)} s wall time (pre-training ${pretrainSeconds.toFixed(0)} s), backend ${pretrain.backend ?? 'unknown'}`,
    );
    console.log(`  ${REFERENCE_METHOD} Below, "always absent" is the majority class. ${DEGENERATE_RULE}\n`);
    for (const line of formatSweep(results, checks)) console.log(line);
    return checks.filter((c) => !c.holds).map((c) => c.claim);
  } finally {
    await headless.close();
  }
}

const [workDir, only] = process.argv.slice(2);
const roles: ControlRole[] = only === 'positive' || only === 'negative' ? [only] : ['positive', 'negative'];
const dataDir = join(workDir, 'controls');
rmSync(dataDir, { recursive: true, force: true });
try {
  const failed: string[] = [];
  for (const role of roles) {
    console.log(`\n${CONTROL_NAMES[role]}: running the Quick preset...`);
    failed.push(...(await sweepControl(dataDir, role)).map((claim) => `${CONTROL_NAMES[role]}: ${claim}`));
  }
  console.log(`\n  Every check held: ${failed.length ? `no. Failed:\n${failed.map((f) => `    ${f}`).join('\n')}` : 'yes'}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
