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
import { argValue, defaultUserDataDir, resolveDataDir, userPath } from '../config/dataDir';
import { requireStore } from './args';
import { Table1Service } from '../export/table1Service';
import { openHeadless, type Headless } from './headless';

const USAGE = 'npm run export -- --experiment ID --format md|csv|tex|html --out FILE [--data-dir DIR] [--f1 NAME]';

class UsageError extends Error {}

interface ExportArgs {
  id: number;
  format: Table1Format;
  f1: F1Metric;
  out: string;
  dataDir: string;
}

/** The options, checked before the store is opened; a UsageError says what to type instead. */
function parseExportArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ExportArgs {
  const value = (name: string) => {
    const v = argValue(argv, name);
    return v === undefined || v.startsWith('--') ? undefined : v;
  };
  const idText = value('--experiment');
  if (idText === undefined) throw new UsageError('Missing --experiment ID (the number in the Experiments view, or printed by npm run experiment).');
  const id = Number(idText);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`--experiment must be a whole number from 1, not "${idText}".`);
  const format = value('--format');
  if (!TABLE1_FORMATS.includes(format as Table1Format)) throw new UsageError(`--format must be one of ${TABLE1_FORMATS.join(', ')}${format === undefined ? '' : `, not "${format}"`}.`);
  const f1 = value('--f1') ?? DEFAULT_F1;
  if (!F1_METRICS.includes(f1 as F1Metric)) throw new UsageError(`--f1 must be one of ${F1_METRICS.join(', ')}, not "${f1}".`);
  const out = value('--out');
  if (out === undefined) throw new UsageError('Missing --out FILE (where to write the table; an existing folder gets the default file name).');
  return { id, format: format as Table1Format, f1: f1 as F1Metric, out: userPath(out, env), dataDir: resolveDataDir(argv, env, defaultUserDataDir()) };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: ExportArgs;
  try {
    args = parseExportArgs(argv, process.env);
    requireStore(args.dataDir);
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: ${USAGE}`);
    return 2;
  }
  let headless: Headless | undefined;
  try {
    headless = await openHeadless(args.dataDir);
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
  } catch (err) {
    console.error(err instanceof WorkbenchError ? err.message : `Export failed: ${err instanceof Error ? err.stack : String(err)}`);
    return 1;
  } finally {
    headless?.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
