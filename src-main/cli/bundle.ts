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
import { requireArg, requireStore } from './args';
import { openHeadless } from './headless';

const USAGE = 'npm run bundle -- export --run ID --out FILE [--data-dir DIR]\n       npm run bundle -- import FILE [--as-copy] [--data-dir DIR]';

function usage(problem: string): never {
  console.error(`${problem}\nUsage: ${USAGE}`);
  process.exit(2);
}

const describe = (r: RunSummary) =>
  `#${r.id} ${r.kind} "${r.name}" (${r.status}; run #${r.origin?.sourceRunId} on ${r.origin?.sourceHost}${r.parentRunId === null ? '' : `; fine-tunes #${r.parentRunId}`})`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const command = argv[0];
  if (command !== 'export' && command !== 'import') usage(command ? `Unknown command "${command}".` : 'Say export or import.');
  const file = command === 'import' ? argv[1] : requireArg(argv, '--out', USAGE);
  if (!file || file.startsWith('--')) usage('Give the bundle file to import.');
  const runId = command === 'export' ? Number(requireArg(argv, '--run', USAGE)) : null;
  if (runId !== null && !(Number.isInteger(runId) && runId >= 1)) usage('--run must be a run id (a whole number).');

  const dataDir = resolveDataDir(argv, process.env, defaultUserDataDir());
  let headless: Awaited<ReturnType<typeof openHeadless>> | undefined;
  try {
    // Exporting needs runs, so a mistyped --data-dir is an error; importing may start a new one.
    if (runId !== null) requireStore(dataDir);
    headless = await openHeadless(dataDir);
    const bundles = new RunBundleService({ ...headless, dataDir });
    if (runId !== null) {
      const saved = await bundles.exportBundle(runId, userPath(file));
      console.log(`Run #${runId} exported to ${saved.path} (${mebibytes(statSync(saved.path!).size)} MiB).`);
    } else {
      const { runs: imported } = await bundles.importBundle({ path: userPath(file), asCopy: argv.includes('--as-copy') });
      console.log(`Imported into ${dataDir}:\n${imported.map((r) => `  ${describe(r)}`).join('\n')}`);
    }
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    headless?.close();
  }
}

main().then((code) => process.exit(code));
