/**
 * Headless training, the same runs the desktop app starts (for servers without a display):
 *   npm run train -- --kind pretrain|finetune|baseline [--dataset ID] [--parent RUN] [--paper]
 *                    [--epochs N] [--labels N] [--label-seed N] [--seed N] [--name NAME] [--data-dir DIR]
 *   npm run train -- --resume RUN [--data-dir DIR]
 * Prints progress and, at the end, the run's metrics. Ctrl+C cancels the run.
 */
import type { RunKind, RunProgress, RunSummary, TrainConfig } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { flagText } from '@shared/metrics/degenerate';
import { needsEpochValidation, selectionText } from '@shared/training/selection';
import { paperTrainConfig, quickTrainConfig } from '@shared/model/presets';
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
import type { RunRepository } from '../store/runs';
import { formatEta } from './args';
import { openHeadless } from './headless';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, clusterFlags } from '../cluster/connectCluster';
import { followCluster } from './clusterLog';

const KINDS: readonly RunKind[] = ['pretrain', 'finetune', 'baseline'];

const COMMAND = {
  usage: [
    'Usage: npm run train -- --kind pretrain|finetune|baseline [--dataset ID] [--parent RUN] [--paper]',
    '                        [--epochs N] [--labels N] [--label-seed N] [--seed N] [--name NAME]',
    '                        [--test-fraction F] [--selection last-epoch|best-validation-loss] [--patience N] [--data-dir DIR] [--workers N] [--redis URL]',
    '       npm run train -- --resume RUN [--data-dir DIR]',
    '',
    'One training run, headless, with progress and its metrics at the end. Ctrl+C cancels it.',
    '  --kind KIND        pretrain (masked reconstruction), finetune (Dense(6) on a frozen pre-training) or baseline',
    `  --dataset ID       the dataset (default: ${POSITIVE_CONTROL_ID}, the built-in positive control)`,
    '  --parent RUN       a fine-tune\'s finished pre-training run',
    '  --paper            the published settings (default: quick ones)',
    '  --epochs N, --labels N, --label-seed N, --seed N, --name NAME',
    '  --test-fraction F  share of segments held out for test, never seen in training or selection (default 0, the paper\'s)',
    SELECTION_USAGE,
    '  --resume RUN       continue a stopped run from its last checkpoint',
    DATA_DIR_USAGE,
    WORKERS_USAGE,
    CLUSTER_USAGE,
  ].join('\n'),
  options: {
    ...DATA_DIR_OPTION,
    ...WORKERS_OPTION,
    ...CLUSTER_OPTIONS,
    kind: { type: 'string' },
    dataset: { type: 'string' },
    parent: { type: 'string' },
    paper: { type: 'boolean' },
    epochs: { type: 'string' },
    labels: { type: 'string' },
    'label-seed': { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    resume: { type: 'string' },
    'test-fraction': { type: 'string' },
    ...SELECTION_OPTIONS,
  },
} as const;

type Values = ReturnType<typeof readCommandLine<typeof COMMAND.options>>['values'];

function configFrom(values: Values): TrainConfig {
  const base = values.paper ? paperTrainConfig() : quickTrainConfig();
  const testFraction = decimalNumber(values['test-fraction'], '--test-fraction', { min: 0, max: 1 });
  const selection = selectionFrom(values);
  const config: TrainConfig = {
    ...base,
    epochs: wholeNumber(values.epochs, '--epochs', { min: 1 }) ?? base.epochs,
    seed: wholeNumber(values.seed, '--seed') ?? base.seed,
    labels: { count: wholeNumber(values.labels, '--labels', { min: 1 }) ?? base.labels.count, seed: wholeNumber(values['label-seed'], '--label-seed') ?? base.labels.seed },
    split: { ...base.split, testFraction: testFraction ?? base.split.testFraction },
    ...selection,
  };
  if (needsEpochValidation(config)) config.validation = 'each-epoch';
  return config;
}

/** What to do, checked before the data directory is opened. */
function requestFrom(values: Values): { resume: number } | { datasetId: string; kind: RunKind; name?: string; parentRunId?: number; config: TrainConfig } {
  const resume = wholeNumber(values.resume, '--resume', { min: 1 });
  if (resume !== undefined) {
    const extra = Object.keys(values).filter((k) => !['resume', 'data-dir', 'workers', 'redis', 'allow-insecure-redis'].includes(k));
    if (extra.length) throw new UsageError(`--resume continues run ${resume} with its own settings; leave out ${extra.map((k) => `--${k}`).join(', ')}.`);
    return { resume };
  }
  const kind = values.kind as RunKind | undefined;
  if (!kind || !KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}${kind ? `, not "${kind}"` : ''}.`);
  return { datasetId: values.dataset ?? POSITIVE_CONTROL_ID, kind, name: values.name, parentRunId: wholeNumber(values.parent, '--parent', { min: 1 }), config: configFrom(values) };
}

/** The run's metrics, a table per split it was evaluated on; then its flags and the epoch it kept. */
function printMetrics(run: ReturnType<RunRepository['detail']>): void {
  const scopes = ['overall', ...EMOTIONS];
  for (const [split, metrics] of [['validation', run.metrics], ['test', run.testMetrics]] as const) {
    if (!metrics.length) continue;
    const value = (scope: string, name: string) => metrics.find((m) => m.scope === scope && m.name === name)?.value;
    console.log(`\n${`${split} metric`.padEnd(24)}${scopes.map((s) => s.padStart(11)).join('')}`);
    for (const name of [...new Set(metrics.map((m) => m.name))]) {
      console.log(`${name.padEnd(24)}${scopes.map((s) => (value(s, name)?.toFixed(4) ?? '—').padStart(11)).join('')}`);
    }
  }
  for (const p of run.predictions.filter((x) => x.flags.length)) console.log(`\n⚑ Degenerate predictions on the ${p.split} split: ${p.flags.map(flagText).join('; ')}.`);
  const selection = run.kind === 'pretrain' ? null : selectionText(run.config, run.epochs);
  if (selection) console.log(selection);
}

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  const request = requestFrom(values);
  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
  const headless = await openHeadless(dataDir, resolveWorkers(values.workers, process.env), clusterFlags(values));
  const { runs, datasets, events, training, cluster } = headless;
  if (cluster) followCluster(cluster, events, (line) => console.log(line));

  // Warnings about the settings come as the run is recorded, before its progress.
  events.subscribe((name, payload) => {
    if (name === 'log') {
      const { level, message } = payload as { level: string; message: string };
      if (level !== 'info') console.error(`${level === 'warn' ? 'Warning' : 'Error'}: ${message}`);
    }
  });
  let run: RunSummary;
  try {
    if ('resume' in request) run = training.resume(request.resume);
    else {
      datasets.get(request.datasetId);
      run = training.start(request);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    await headless.close();
    return 2;
  }
  console.log(`Run #${run.id} (${run.kind}) on ${run.datasetId} in ${dataDir}`);

  const finished = new Promise<string>((resolve) => {
    events.subscribe((name, payload) => {
      if (name === 'backend.ready') console.log(`Backend: ${(payload as { name: string; reason: string }).name} (${(payload as { reason: string }).reason})`);
      if (name === 'run.progress') {
        const p = payload as RunProgress;
        process.stderr.write(`\rEpoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · loss ${p.loss?.toFixed(4) ?? '—'} · ${p.samplesPerSecond.toFixed(1)} samples/s${formatEta(p.etaSeconds)}      `);
      }
      if (name === 'run.epoch') {
        const e = payload as { epoch: number; loss: number; valLoss: number | null; seconds: number; maskedLoss?: number | null; valMaskedLoss?: number | null };
        process.stderr.write('\r');
        // Pre-training: the error on masked steps alone, what shows whether the encoder learned to fill a gap.
        const masked = e.maskedLoss === null || e.maskedLoss === undefined ? '' : ` · masked steps ${e.maskedLoss.toFixed(5)} (validation ${e.valMaskedLoss?.toFixed(5) ?? '—'})`;
        console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(5)} · validation ${e.valLoss?.toFixed(5) ?? '—'}${masked} · ${e.seconds.toFixed(1)} s`);
      }
      if (name === 'run.status') {
        const s = payload as { runId: number; status: string; error: string | null };
        if (s.runId === run.id && !['queued', 'running'].includes(s.status)) resolve(s.error ? `${s.status}: ${s.error}` : s.status);
      }
    });
  });
  process.once('SIGINT', () => training.cancel(run.id));
  const outcome = await finished;
  const detail = runs.detail(run.id);
  console.log(`\nRun #${run.id} ${outcome}${detail.origin?.via === 'cluster' ? ` (trained on ${detail.origin.sourceHost})` : ''}`);
  if (detail.metrics.length) printMetrics(detail);
  await headless.close();
  return detail.status === 'done' ? 0 : 1;
}

runCommand(COMMAND, main);
