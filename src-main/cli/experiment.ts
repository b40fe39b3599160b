/**
 * The paper's whole protocol, headless (training servers):
 *   npm run experiment -- --preset quick|paper [--dataset ID] [--labels 20,50,200] [--repeats N]
 *                         [--mask-span N] [--split random-segment|by-video|sdk-standard] [--data-dir DIR] [--json] [--new]
 *                         [--vary FIELD=V1,V2,... [--vary FIELD=...]]
 *   npm run experiment -- --resume ID [--data-dir DIR] [--json]
 * --vary makes it an ablation: every combination of the values, each with its pre-training and
 * fine-tunes, beside a baseline shared by the values that do not change it.
 * Prints progress; at the end a table of SSL and baseline per label count (mean ± sd [95% CI],
 * paired tests with raw and Holm-adjusted p), or with --json, per label count and arm the mean,
 * sd and 95% CI of every metric, overall and per emotion, the paired tests per emotion and
 * overall, the Holm families and labels saved with its interval, and the methods in words.
 * --resume continues an experiment a crash, a kill, Ctrl+C or a failed run stopped: finished
 * runs are kept, the others resume from their checkpoints. Starting a plan that an unfinished
 * experiment already has is refused with the command to resume it (--new starts a second sweep).
 * Its runs appear in the desktop app's history when both use the same data directory.
 * Exit code 0 when the experiment is done, 1 when it ended otherwise, 2 when nothing was started.
 */
import { requests, WorkbenchError } from '@shared/api/contract';
import { experimentPlan, type ExperimentPreset } from '@shared/experiments/presets';
import { FACTOR_FIELD_IDS } from '@shared/experiments/factors';
import { factorsFrom } from './varyOption';
import type { TrainConfig } from '@shared/api/entities';
import { normaliseSplit, type SplitConfig } from '@shared/data/splits';
import { defaultUserDataDir, resolveDataDir, resolveWorkers } from '../config/dataDir';
import {
  DATA_DIR_OPTION,
  DATA_DIR_USAGE,
  decimalNumber,
  readCommandLine,
  runCommand,
  SELECTION_OPTIONS,
  SELECTION_USAGE,
  selectionFrom,
  UsageError,
  WORKERS_OPTION,
  WORKERS_USAGE,
  wholeNumber,
} from './commandLine';
import { POSITIVE_CONTROL_ID } from '@shared/data/controls';
import type { ExperimentRequest, UnfinishedExperiment } from '../experiments/experimentService';
import { formatEta, requireStore } from './args';
import { experimentJson, experimentTable } from './experimentReport';
import { hostLines } from '@shared/experiments/hostBreakdown';
import { openHeadless } from './headless';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterFlags } from '../cluster/connectCluster';
import { followCluster } from './clusterLog';

const COMMAND = {
  usage: [
    'Usage: npm run experiment -- --preset quick|paper [--dataset ID] [--labels 20,50,200] [--repeats N]',
    '                             [--sampling nested|independent] [--mask-span N] [--split random-segment|by-video|sdk-standard]',
    '                             [--test-fraction F] [--selection last-epoch|best-validation-loss] [--patience N] [--learning-rate LR]',
    '                             [--vary FIELD=V1,V2,...] [--json] [--new] [--data-dir DIR] [--workers N] [--redis URL]',
    '       npm run experiment -- --resume ID [--json] [--data-dir DIR] [--workers N] [--redis URL]',
    '',
    'The paper\'s protocol, headless: one pre-training, then per label count and repeat an SSL fine-tune and a baseline.',
    '  --preset NAME      quick (a small model, minutes) or paper (the published settings)',
    `  --dataset ID       the dataset (default: ${POSITIVE_CONTROL_ID}, the built-in positive control)`,
    '  --labels LIST      label counts, comma-separated (default: the preset\'s)',
    '  --repeats N        repeats per label count (default: the preset\'s)',
    '  --sampling KIND    labelled samples nested across label counts (default) or independent for each',
    '  --mask-span N      frames per masked span (default 30, the paper\'s)',
    '  --split KIND       random-segment (the paper\'s), by-video or sdk-standard',
    '  --test-fraction F  share of segments held out for test (random-segment, by-video; default: the preset\'s, 0.2 quick, 0 paper); sdk-standard uses its test fold',
    '  fine-tunes and baselines:',
    SELECTION_USAGE,
    '  --learning-rate LR Adam\'s learning rate (default: the preset\'s, 0.003 quick, 0.001 paper)',
    '  --vary FIELD=LIST  an ablation: compare these values of a setting (at most two --vary); FIELD is one of',
    `                     ${FACTOR_FIELD_IDS.join(', ')}`,
    '                     e.g. --vary mask.spanLength=10,30,60 --vary model.hiddenUnits=64,256',
    '  --json             print the results as JSON (progress goes to stderr)',
    '  --new              start a second sweep even if one of the same plan did not finish',
    '  --resume ID        continue a stopped experiment: finished runs are kept',
    DATA_DIR_USAGE,
    WORKERS_USAGE,
    CLUSTER_USAGE,
  ].join('\n'),
  options: {
    ...DATA_DIR_OPTION,
    ...WORKERS_OPTION,
    ...CLUSTER_OPTIONS,
    preset: { type: 'string' },
    dataset: { type: 'string' },
    labels: { type: 'string' },
    repeats: { type: 'string' },
    sampling: { type: 'string' },
    'mask-span': { type: 'string' },
    split: { type: 'string' },
    'test-fraction': { type: 'string' },
    'learning-rate': { type: 'string' },
    ...SELECTION_OPTIONS,
    json: { type: 'boolean' },
    new: { type: 'boolean' },
    resume: { type: 'string' },
    vary: { type: 'string', multiple: true },
  },
} as const;

type Values = ReturnType<typeof readCommandLine<typeof COMMAND.options>>['values'];

/** Options that say what to run; a resumed experiment runs its own plan, so they do not go with --resume. */
const PLAN_OPTIONS = ['preset', 'dataset', 'labels', 'repeats', 'sampling', 'mask-span', 'split', 'test-fraction', 'learning-rate', 'selection', 'patience', 'new', 'vary'] as const;


/** The experiment the options ask for, checked as the app's request is. */
function requestFrom(values: Values): ExperimentRequest {
  const preset = values.preset as ExperimentPreset | undefined;
  if (preset !== 'quick' && preset !== 'paper') throw new UsageError('--preset must be quick or paper (or give --resume ID to continue an experiment).');
  const labels = values.labels;
  const labelCounts = labels?.split(',').map((s) => Number(s.trim()));
  if (labelCounts?.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--labels must be whole numbers separated by commas, not "${labels}".`);
  const repeats = wholeNumber(values.repeats, '--repeats', { min: 1 });
  const plan = experimentPlan(preset);
  const maskSpan = wholeNumber(values['mask-span'], '--mask-span', { min: 1 });
  const split = values.split as TrainConfig['split']['kind'] | undefined;
  const testFraction = decimalNumber(values['test-fraction'], '--test-fraction', { min: 0, max: 1 });
  const learningRate = decimalNumber(values['learning-rate'], '--learning-rate', { min: 0, max: 10, minExclusive: true, inclusiveMax: true });
  const overrides = {
    mask: maskSpan === undefined ? undefined : { ...plan.pretrain.mask!, spanLength: maskSpan },
    split: split === undefined && testFraction === undefined ? undefined : splitFrom(plan.supervised.split, split, testFraction),
    learningRate,
    ...selectionFrom(values),
  };
  const factors = factorsFrom(values.vary);
  const parsed = requests['experiments.start'].params.safeParse({ datasetId: values.dataset ?? POSITIVE_CONTROL_ID, preset, labelCounts, repeats, sampling: values.sampling, overrides, factors });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** The preset's split with --split and --test-fraction; the preset's test share does not follow --split sdk-standard, a typed one goes to the rules. */
function splitFrom(preset: SplitConfig, kind: SplitConfig['kind'] | undefined, testFraction: number | undefined): SplitConfig {
  const split = { ...preset, kind: kind ?? preset.kind };
  return testFraction === undefined ? normaliseSplit(split) : { ...split, testFraction };
}

/** `--resume ID`, or null when not given; a usage error if it comes with plan options. */
function resumeFrom(values: Values): number | null {
  const id = wholeNumber(values.resume, '--resume', { min: 1 });
  if (id === undefined) return null;
  const extra = PLAN_OPTIONS.filter((o) => values[o] !== undefined).map((o) => `--${o}`);
  if (extra.length) throw new UsageError(`--resume continues experiment ${id} with its own plan; leave out ${extra.join(', ')}.`);
  return id;
}

/** Why starting this plan again would duplicate a sweep, and the command that continues the existing one. */
function unfinishedMessage(found: UnfinishedExperiment[], resumeCommand: (id: number) => string): string {
  const state = ({ experiment: e, runningIn }: UnfinishedExperiment) =>
    runningIn !== null
      ? `running now in process ${runningIn} (another workbench or command on this data directory); follow it there`
      : e.status === 'running'
        ? 'interrupted (the process running it stopped)'
        : e.status === 'failed'
          ? `failed: ${e.error}`
          : e.status;
  const lines = [`${found.length === 1 ? 'An experiment' : `${found.length} experiments`} with this plan (dataset, preset, label counts, repeats, overrides, factors) did not finish:`];
  for (const f of found) lines.push(`  #${f.experiment.id} "${f.experiment.name}", created ${f.experiment.createdAt}: ${state(f)}; ${f.experiment.runsDone} of ${f.experiment.runsTotal} runs done.`);
  const resumable = found.find((f) => f.runningIn === null);
  if (resumable) lines.push('Continue it (finished runs are kept, the others resume from their checkpoints):', `  ${resumeCommand(resumable.experiment.id)}`);
  lines.push('Or start a second, separate sweep of the same plan by adding --new.');
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  const json = values.json ?? false;
  const log = (line: string) => (json ? process.stderr.write(`${line}\n`) : console.log(line));
  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
  const resumeCommand = (id: number) => `npm run experiment -- --resume ${id}${values['data-dir'] === undefined ? '' : ` --data-dir ${JSON.stringify(dataDir)}`}`;
  const resume = resumeFrom(values);
  const request = resume === null ? requestFrom(values) : null;
  try {
    // Resuming needs the store the experiment is in: a mistyped --data-dir is an error, not a new one.
    if (resume !== null) requireStore(dataDir);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const headless = await openHeadless(dataDir, resolveWorkers(values.workers, process.env), clusterFlags(values));
  const { events, experiments, cluster } = headless;
  if (cluster) followCluster(cluster, events, log);

  // Listening before the experiment starts: a resumed one whose runs had all finished ends at once.
  type Outcome = { status: string; error: string | null };
  let following: number | null = null;
  let onEnd: ((outcome: Outcome) => void) | null = null;
  const ended = new Map<number, Outcome>();
  events.subscribe((name, payload) => {
    if (name === 'backend.ready') log(`Backend: ${(payload as { name: string }).name}`);
    if (name === 'experiment.progress') {
      const p = payload as { id: number; runsDone: number; runsTotal: number; etaSeconds: number | null };
      if (p.id === following) log(`${p.runsDone}/${p.runsTotal} runs done${formatEta(p.etaSeconds)}`);
    }
    if (name === 'experiment.status') {
      const s = payload as Outcome & { id: number };
      ended.set(s.id, s);
      if (s.id === following) onEnd?.(s);
    }
  });

  try {
    if (resume !== null) {
      following = resume;
      const resumed = experiments.resume(resume);
      log(`Resuming experiment #${resume} "${resumed.name}": ${resumed.runsDone} of ${resumed.runsTotal} runs were done.`);
    } else {
      const found = values.new ? [] : experiments.unfinishedWithPlan(request!);
      if (found.length) throw new WorkbenchError('conflict', unfinishedMessage(found, resumeCommand));
      following = experiments.start(request!).id;
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    await headless.close();
    return 2;
  }
  const id = following;
  log(`Experiment #${id} in ${dataDir}`);
  process.once('SIGINT', () => experiments.cancel(id));
  const outcome = ended.get(id) ?? (await new Promise<Outcome>((resolve) => (onEnd = resolve)));
  const { status, error } = outcome;
  const results = experiments.results(id);
  const hosts = experiments.hosts(id);
  await headless.close();
  if (json) console.log(JSON.stringify(experimentJson(results, hosts), null, 2));
  else console.log(`\nExperiment #${id} ${status}${error ? `: ${error}` : ''}\n\n${experimentTable(results)}\n\nWhere the runs trained:\n${hostLines(hosts).map((l) => `  ${l}`).join('\n')}`);
  return status === 'done' ? 0 : 1;
}

runCommand(COMMAND, main);
