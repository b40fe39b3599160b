import { parseFactorValues, type Factor } from '@shared/experiments/factors';
import { UsageError } from './commandLine';

/** `--vary FIELD=V1,V2`: one factor each, its values read as the Experiments form reads them. */
export function factorsFrom(vary: readonly string[] | undefined): Factor[] | undefined {
  if (!vary?.length) return undefined;
  return vary.map((arg) => {
    const at = arg.indexOf('=');
    if (at < 1) throw new UsageError(`--vary takes FIELD=V1,V2,... (for example --vary mask.spanLength=10,30,60), not "${arg}".`);
    const parsed = parseFactorValues(arg.slice(0, at).trim(), arg.slice(at + 1));
    if ('error' in parsed) throw new UsageError(`--vary ${arg}: ${parsed.error}`);
    return { field: arg.slice(0, at).trim(), values: parsed.values };
  });
}