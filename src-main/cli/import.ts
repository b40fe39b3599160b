/**
 * Headless import of CMU-MOSEI computational sequences into a data directory, the same
 * import the app runs:
 *   npm run import -- --covarep CMU_MOSEI_COVAREP.csd --labels CMU_MOSEI_Labels.csd [--data-dir DIR] [--report FILE.json] [--name NAME]
 */
import type { ImportStatus } from '@shared/api/entities';
import { WorkbenchError } from '@shared/api/contract';
import { EventSink } from '../platform/events';
import { defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { ImportService } from '../data/importService';
import { openDataDir } from '../app/openDataDir';
import { DatasetRepository } from '../store/datasets';
import { formatEta } from './args';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, runCommand, UsageError } from './commandLine';
import { forkSourceProcess } from './sourceProcesses';

const COMMAND = {
  usage: [
    'Usage: npm run import -- --covarep FILE.csd --labels FILE.csd [--name NAME] [--report FILE.json] [--data-dir DIR]',
    '',
    'Imports a CMU-MOSEI COVAREP + labels pair of computational sequences, as the app does.',
    '  --covarep FILE     CMU_MOSEI_COVAREP.csd',
    '  --labels FILE      CMU_MOSEI_Labels.csd',
    '  --name NAME        the dataset\'s name',
    '  --report FILE      also write, per segment, what the aligner produced (JSON)',
    DATA_DIR_USAGE,
  ].join('\n'),
  options: { ...DATA_DIR_OPTION, covarep: { type: 'string' }, labels: { type: 'string' }, name: { type: 'string' }, report: { type: 'string' } },
} as const;

async function main(): Promise<number> {
  const { values } = readCommandLine(COMMAND);
  if (values.covarep === undefined) throw new UsageError('Missing --covarep FILE.csd.');
  if (values.labels === undefined) throw new UsageError('Missing --labels FILE.csd.');
  const covarepPath = userPath(values.covarep);
  const labelsPath = userPath(values.labels);
  const report = values.report;
  const dataDir = resolveDataDir(values['data-dir'], process.env, defaultUserDataDir());
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
    ({ jobId } = service.start({ covarepPath, labelsPath, reportPath: report ? userPath(report) : undefined, name: values.name }));
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

runCommand(COMMAND, main);
