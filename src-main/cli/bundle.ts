/**
 * Run bundles from the command line, to move results between a training server and a laptop:
 *   npm run bundle -- export --run ID --out FILE [--data-dir DIR]
 *   npm run bundle -- import FILE [--as-copy] [--data-dir DIR]
 * Export writes the run (and a fine-tune's pre-training run) to FILE; import adds the
 * bundle's runs to the data directory under new ids. Exit code 2: wrong usage; 1: refused.
 */
import type { RunSummary } from '@shared/api/entities';
import { mebibytes } from '@shared/api/limits';
import { statSync } from 'node:fs';
import { defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { RunBundleService } from '../export/runBundleService';
import { requireStore } from './args';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, runCommand, UsageError, wholeNumber } from './commandLine';
import { withHeadless } from './headless';

const COMMAND = {
  usage: [
    'Usage: npm run bundle -- export --run ID --out FILE [--data-dir DIR]',
    '       npm run bundle -- import FILE [--as-copy] [--data-dir DIR]',
    '',
    'Run bundles: one file with a run\'s configuration, records, metrics and weights, to move it between machines.',
    '  --run ID           the run to export',
    '  --out FILE         where to write the bundle',
    '  --as-copy          import a run that was imported before, under a new id',
    DATA_DIR_USAGE,
  ].join('\n'),
  options: { ...DATA_DIR_OPTION, run: { type: 'string' }, out: { type: 'string' }, 'as-copy': { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
} as const;

const describe = (r: RunSummary) =>
  `#${r.id} ${r.kind} "${r.name}" (${r.status}; run #${r.origin?.sourceRunId} on ${r.origin?.sourceHost}${r.parentRunId === null ? '' : `; fine-tunes #${r.parentRunId}`})`;

async function main(): Promise<number> {
  const { values, positionals } = readCommandLine(COMMAND);
  const [command, fileArg] = positionals;
  if (command !== 'export' && command !== 'import') throw new UsageError(`Unknown action "${command}": say export or import.`);
  if (command === 'import' && (values.run !== undefined || values.out !== undefined)) throw new UsageError('import takes the bundle file, not --run or --out.');
  if (command === 'export' && (fileArg !== undefined || values['as-copy'])) throw new UsageError('export takes --run ID and --out FILE.');
  const file = command === 'import' ? fileArg : values.out;
  if (!file) throw new UsageError(command === 'import' ? 'Give the bundle file to import.' : 'Missing --out FILE.');
  const runId = command === 'export' ? wholeNumber(values.run, '--run', { min: 1 }) : null;
  if (runId === undefined) throw new UsageError('Missing --run ID.');

  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
  // Exporting needs runs, so a mistyped --data-dir is an error; importing may start a new one.
  if (runId !== null) requireStore(dataDir);
  return withHeadless(dataDir, async (headless) => {
    const bundles = new RunBundleService({ ...headless, dataDir });
    if (runId !== null) {
      const saved = await bundles.exportBundle(runId, userPath(file));
      console.log(`Run #${runId} exported to ${saved.path} (${mebibytes(statSync(saved.path!).size)} MiB).`);
    } else {
      const { runs: imported } = await bundles.importBundle({ path: userPath(file), asCopy: values['as-copy'] ?? false });
      console.log(`Imported into ${dataDir}:\n${imported.map((r) => `  ${describe(r)}`).join('\n')}`);
    }
    return 0;
  });
}

runCommand(COMMAND, main);
