/**
 * Table 1 of an experiment, as the desktop app exports it:
 *   npm run export -- --experiment ID --format md|csv|tex|html --out FILE [--data-dir DIR] [--f1 NAME]
 * --out may name an existing folder: the file then gets its default name there.
 * --f1 is one of f1Weighted (default), f1Binary, f1FourClassMacro, f1FourClassMicro.
 * Exit code 0 when written, 2 for a usage mistake, 1 when the export itself failed.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '@shared/api/contract';
import { DEFAULT_F1, table1FileName } from '@shared/export/table1';
import { F1_METRICS, TABLE1_FORMATS, type F1Metric, type Table1Format } from '@shared/export/table1Model';
import { defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { DATA_DIR_OPTION, DATA_DIR_USAGE, readCommandLine, runCommand, UsageError, usageFailure, wholeNumber } from './commandLine';
import { requireStore } from './args';
import { Table1Service } from '../export/table1Service';
import { withHeadless } from './headless';

const COMMAND = {
  usage: [
    'Usage: npm run export -- --experiment ID --format md|csv|tex|html --out FILE [--f1 NAME] [--data-dir DIR]',
    '',
    'The paper\'s Table 1 from an experiment, as the Experiments view exports it.',
    '  --experiment ID    the experiment (its number in the Experiments view, or printed by npm run experiment)',
    `  --format FORMAT    ${TABLE1_FORMATS.join(', ')} (html: a self-contained report with Figures 4-7)`,
    '  --out FILE         where to write it; an existing folder gets the default file name',
    `  --f1 NAME          ${F1_METRICS.join(', ')} (default ${DEFAULT_F1})`,
    DATA_DIR_USAGE,
  ].join('\n'),
  options: { ...DATA_DIR_OPTION, experiment: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, f1: { type: 'string' } },
} as const;

interface ExportArgs {
  id: number;
  format: Table1Format;
  f1: F1Metric;
  out: string;
  dataDir: string;
}

/** The options, checked before the store is opened; a UsageError says what to type instead. */
function parseExportArgs(values: ReturnType<typeof readCommandLine<typeof COMMAND.options>>['values'], env: NodeJS.ProcessEnv): ExportArgs {
  if (values.experiment === undefined) throw new UsageError('Missing --experiment ID (the number in the Experiments view, or printed by npm run experiment).');
  const id = wholeNumber(values.experiment, '--experiment', { min: 1 })!;
  const format = values.format;
  if (!TABLE1_FORMATS.includes(format as Table1Format)) throw new UsageError(`--format must be one of ${TABLE1_FORMATS.join(', ')}${format === undefined ? '' : `, not "${format}"`}.`);
  const f1 = values.f1 ?? DEFAULT_F1;
  if (!F1_METRICS.includes(f1 as F1Metric)) throw new UsageError(`--f1 must be one of ${F1_METRICS.join(', ')}, not "${f1}".`);
  if (values.out === undefined) throw new UsageError('Missing --out FILE (where to write the table; an existing folder gets the default file name).');
  return { id, format: format as Table1Format, f1: f1 as F1Metric, out: userPath(values.out, env), dataDir: resolveDataDir(values['data-dir'], env, defaultUserDataDir()) };
}

async function main(): Promise<number> {
  const args = parseExportArgs(readCommandLine(COMMAND).values, process.env);
  try {
    requireStore(args.dataDir);
  } catch (err) {
    usageFailure(COMMAND, (err as Error).message);
  }
  return withHeadless(args.dataDir, async (headless) => {
    const service = new Table1Service({ ...headless, dataDir: args.dataDir });
    const experiments = headless.experiments.list();
    if (!experiments.some((x) => x.id === args.id)) {
      const known = experiments.map((x) => `  #${x.id} ${x.name} (${x.status})`).join('\n');
      throw new WorkbenchError('not_found', `Experiment ${args.id} does not exist in ${args.dataDir}. ${known ? `Its experiments:\n${known}` : 'It has no experiments yet: run npm run experiment first.'}`);
    }
    let path = args.out;
    if (existsSync(path) && statSync(path).isDirectory()) {
      path = join(path, table1FileName({ experimentId: args.id, experimentName: experiments.find((x) => x.id === args.id)!.name, f1Metric: args.f1 }, args.format));
    }
    const saved = await service.exportTable1(args.id, args.f1, args.format, path);
    console.log(`Saved Table 1 of experiment #${args.id} (${args.f1}, ${args.format}) to ${saved.path}`);
    return 0;
  });
}

runCommand(COMMAND, main);
