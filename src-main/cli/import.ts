/**
 * Headless import of CMU-MOSEI computational sequences into a data directory, the same
 * import the app runs:
 *   npm run import -- --covarep CMU_MOSEI_COVAREP.csd --labels CMU_MOSEI_Labels.csd [--data-dir DIR] [--report FILE.json] [--name NAME]
 */
import type { ImportStatus } from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';
import { EventSink } from '../app/events';
import { argValue, defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { ImportService } from '../data/importService';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { formatEta, requireArg } from './args';
import { forkSourceProcess } from './sourceProcesses';

const USAGE = 'npm run import -- --covarep FILE.csd --labels FILE.csd [--data-dir DIR] [--report FILE.json] [--name NAME]';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const covarepPath = userPath(requireArg(argv, '--covarep', USAGE));
  const labelsPath = userPath(requireArg(argv, '--labels', USAGE));
  const report = argValue(argv, '--report');
  const dataDir = resolveDataDir(argv, process.env, defaultUserDataDir());
  const { db } = openDataDir(dataDir);
  const events = new EventSink();
  const service = new ImportService(dataDir, new DatasetRepository(db), () => forkSourceProcess('importer'), events);

  const outcome = new Promise<ImportStatus>((resolve) => {
    events.subscribe((name, payload) => {
      if (name === 'import.progress') {
        const p = payload as { phase: string; done: number; total: number; etaSeconds: number | null };
        const unit = p.phase === 'fingerprint' ? `${(p.done / 2 ** 20).toFixed(0)}/${(p.total / 2 ** 20).toFixed(0)} MB` : `${p.done}/${p.total} videos`;
        process.stderr.write(`\r${p.phase === 'fingerprint' ? 'Reading files' : 'Aligning'}: ${unit}${formatEta(p.etaSeconds)}      `);
      }
      if (name === 'import.status' && (payload as ImportStatus).status !== 'running') resolve(payload as ImportStatus);
    });
  });
  let jobId: string;
  try {
    ({ jobId } = service.start({ covarepPath, labelsPath, reportPath: report ? userPath(report) : undefined, name: argValue(argv, '--name') }));
  } catch (err) {
    console.error(err instanceof WorkbenchError ? err.message : String(err));
    return 1;
  }
  process.once('SIGINT', () => service.cancel(jobId));
  const result = await outcome;
  process.stderr.write('\n');
  db.close();
  for (const note of result.notes) console.log(note);
  if (result.status === 'done' || result.status === 'duplicate') {
    console.log(`${result.status === 'done' ? 'Imported' : 'Already imported'}: dataset ${result.datasetId} in ${dataDir}`);
    return 0;
  }
  console.error(result.status === 'cancelled' ? 'Import cancelled; nothing was imported.' : `Import failed: ${result.error}`);
  return 1;
}

main().then((code) => process.exit(code));
