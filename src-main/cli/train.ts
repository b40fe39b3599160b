/**
 * Headless training, the same runs the desktop app starts (for servers without a display):
 *   npm run train -- --kind pretrain|finetune|baseline [--dataset ID] [--parent RUN] [--paper]
 *                    [--epochs N] [--labels N] [--label-seed N] [--seed N] [--name NAME] [--data-dir DIR]
 *   npm run train -- --resume RUN [--data-dir DIR]
 * Prints progress and, at the end, the run's metrics. Ctrl+C cancels the run.
 */
import { WorkbenchError } from '@shared/api/contract';
import type { RunKind, RunProgress, RunSummary, TrainConfig } from '@shared/api/entities';
import { EMOTIONS } from '@shared/emotions';
import { paperTrainConfig, quickTrainConfig } from '@shared/model/presets';
import { argValue, defaultUserDataDir, resolveDataDir, resolveWorkers } from '../config/dataDir';
import { BUILTIN_DATASET_ID } from '../data/datasetService';
import type { RunRepository } from '../store/runs';
import { formatEta } from './args';
import { openHeadless } from './headless';

const KINDS: readonly RunKind[] = ['pretrain', 'finetune', 'baseline'];

function intArg(argv: string[], name: string): number | undefined {
  const raw = argValue(argv, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new WorkbenchError('invalid_params', `${name} must be a whole number, not "${raw}".`);
  return n;
}

function configFrom(argv: string[]): TrainConfig {
  const base = argv.includes('--paper') ? paperTrainConfig() : quickTrainConfig();
  const labels = intArg(argv, '--labels');
  return {
    ...base,
    epochs: intArg(argv, '--epochs') ?? base.epochs,
    seed: intArg(argv, '--seed') ?? base.seed,
    labels: { count: labels ?? base.labels.count, seed: intArg(argv, '--label-seed') ?? base.labels.seed },
  };
}

function printMetrics(run: ReturnType<RunRepository['detail']>): void {
  const value = (scope: string, name: string) => run.metrics.find((m) => m.scope === scope && m.name === name)?.value;
  const names = [...new Set(run.metrics.map((m) => m.name))];
  const scopes = ['overall', ...EMOTIONS];
  console.log(`\n${'metric'.padEnd(20)}${scopes.map((s) => s.padStart(11)).join('')}`);
  for (const name of names) {
    console.log(`${name.padEnd(20)}${scopes.map((s) => (value(s, name)?.toFixed(4) ?? '—').padStart(11)).join('')}`);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const dataDir = resolveDataDir(argv, process.env, defaultUserDataDir());
  const { db, runs, datasets, events, training } = await openHeadless(dataDir, resolveWorkers(argv, process.env));

  let run: RunSummary;
  try {
    const resume = intArg(argv, '--resume');
    if (resume !== undefined) run = training.resume(resume);
    else {
      const kind = argValue(argv, '--kind') as RunKind | undefined;
      if (!kind || !KINDS.includes(kind)) throw new WorkbenchError('invalid_params', `--kind must be one of ${KINDS.join(', ')}.`);
      const datasetId = argValue(argv, '--dataset') ?? BUILTIN_DATASET_ID;
      datasets.get(datasetId);
      run = training.start({ datasetId, kind, name: argValue(argv, '--name'), parentRunId: intArg(argv, '--parent'), config: configFrom(argv) });
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    db.close();
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
        const e = payload as { epoch: number; loss: number; valLoss: number | null; seconds: number };
        process.stderr.write('\r');
        console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(5)} · validation ${e.valLoss?.toFixed(5) ?? '—'} · ${e.seconds.toFixed(1)} s`);
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
  console.log(`\nRun #${run.id} ${outcome}`);
  if (detail.metrics.length) printMetrics(detail);
  training.shutdown();
  db.close();
  return detail.status === 'done' ? 0 : 1;
}

main().then((code) => process.exit(code));
