/**
 * The paper's whole protocol, headless (training servers):
 *   npm run experiment -- --preset quick|paper [--dataset ID] [--labels 20,50,200] [--repeats N]
 *                         [--mask-span N] [--split random-segment|by-video|sdk-standard] [--data-dir DIR] [--json]
 * Prints progress; at the end a table of SSL and baseline per label count (mean ± sd [95% CI],
 * paired tests with raw and Holm-adjusted p), or with --json, per label count and arm the mean,
 * sd and 95% CI of every metric, overall and per emotion, the paired tests per emotion and
 * overall, the Holm families and labels saved with its interval, and the methods in words.
 * Its runs appear in the desktop app's history when both use the same data directory.
 */
import { requests, WorkbenchError } from '@shared/api/contract';
import { experimentPlan, type ExperimentPreset } from '@shared/experiments/presets';
import type { TrainConfig } from '@shared/api/entities';
import { argValue, defaultUserDataDir, resolveDataDir, resolveWorkers } from '../config/dataDir';
import { BUILTIN_DATASET_ID } from '../data/datasetService';
import { formatEta } from './args';
import { experimentJson, experimentTable } from './experimentReport';
import { openHeadless } from './headless';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const log = (line: string) => (json ? process.stderr.write(`${line}\n`) : console.log(line));
  const dataDir = resolveDataDir(argv, process.env, defaultUserDataDir());
  const { db, events, training, experiments } = await openHeadless(dataDir, resolveWorkers(argv, process.env));

  let id: number;
  try {
    const preset = argValue(argv, '--preset') as ExperimentPreset | undefined;
    if (preset !== 'quick' && preset !== 'paper') throw new WorkbenchError('invalid_params', '--preset must be quick or paper.');
    const labels = argValue(argv, '--labels');
    const labelCounts = labels?.split(',').map((s) => Number(s.trim()));
    if (labelCounts?.some((n) => !Number.isInteger(n) || n < 1)) throw new WorkbenchError('invalid_params', `--labels must be whole numbers separated by commas, not "${labels}".`);
    const repeatsArg = argValue(argv, '--repeats');
    const repeats = repeatsArg === undefined ? undefined : Number(repeatsArg);
    if (repeats !== undefined && (!Number.isInteger(repeats) || repeats < 1)) throw new WorkbenchError('invalid_params', `--repeats must be a whole number, not "${repeatsArg}".`);
    const plan = experimentPlan(preset);
    const maskSpan = argValue(argv, '--mask-span');
    const split = argValue(argv, '--split') as TrainConfig['split']['kind'] | undefined;
    const overrides = {
      mask: maskSpan === undefined ? undefined : { ...plan.pretrain.mask!, spanLength: Number(maskSpan) },
      split: split === undefined ? undefined : { ...plan.supervised.split, kind: split },
    };
    const parsed = requests['experiments.start'].params.safeParse({ datasetId: argValue(argv, '--dataset') ?? BUILTIN_DATASET_ID, preset, labelCounts, repeats, overrides });
    if (!parsed.success) throw new WorkbenchError('invalid_params', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    ({ id } = experiments.start(parsed.data));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    db.close();
    return 2;
  }
  log(`Experiment #${id} in ${dataDir}`);
  const outcome = new Promise<{ status: string; error: string | null }>((resolve) => {
    events.subscribe((name, payload) => {
      if (name === 'backend.ready') log(`Backend: ${(payload as { name: string }).name}`);
      if (name === 'experiment.progress') {
        const p = payload as { id: number; runsDone: number; runsTotal: number; etaSeconds: number | null };
        if (p.id === id) log(`${p.runsDone}/${p.runsTotal} runs done${formatEta(p.etaSeconds)}`);
      }
      if (name === 'experiment.status' && (payload as { id: number }).id === id) resolve(payload as { status: string; error: string | null });
    });
  });
  process.once('SIGINT', () => experiments.cancel(id));
  const { status, error } = await outcome;
  training.shutdown();
  const results = experiments.results(id);
  db.close();
  if (json) console.log(JSON.stringify(experimentJson(results), null, 2));
  else console.log(`\nExperiment #${id} ${status}${error ? `: ${error}` : ''}\n\n${experimentTable(results)}`);
  return status === 'done' ? 0 : 1;
}

main().then((code) => process.exit(code));
