import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearestFlag } from '../launcher/nearestFlag.mjs';
import { EPOCH_SELECTIONS, type TrainConfig } from '@shared/api/entities';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's flags (node:util parseArgs options, without dashes) and its usage text. */
export interface CommandLine<O extends Options> {
  /** Printed by --help and after any mistake: the command's synopsis, then one line per flag. */
  usage: string;
  options: O;
  /** Positional arguments the command takes (none by default). */
  positionals?: { min: number; max: number };
}

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;

/** What a command line asks for: run with these values, or stop with this text and exit code (help: 0, a mistake: 2). */
export type Interpreted<O extends Options> =
  | { kind: 'run'; values: Parsed<O>['values']; positionals: string[] }
  | { kind: 'stop'; exitCode: 0 | 2; text: string };

/** A mistake in a command line that the usage text helps with (a value out of range, a missing flag). */
export class UsageError extends Error {}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses argv strictly: an unknown flag, a flag without its value or a stray argument stops the
 * command with the usage text (and the nearest valid flag), instead of being ignored.
 */
export function interpretArgs<O extends Options>(command: CommandLine<O>, argv: readonly string[]): Interpreted<O> {
  const flags = Object.keys({ ...command.options, ...HELP }).map((name) => `--${name}`);
  const stop = (problem: string): Interpreted<O> => ({ kind: 'stop', exitCode: 2, text: `${problem}\n\n${command.usage}` });
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...command.options, ...HELP } as O, strict: true, allowPositionals: true }) as Parsed<O>;
  } catch (err) {
    const unknown = argv.find((a) => a.startsWith('-') && a !== '-' && !flags.includes(a.replace(/=.*$/, '')) && !/^-h$/.test(a));
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      const near = nearestFlag(unknown, flags);
      return stop(`Unknown option ${unknown.replace(/=.*$/, '')}.${near ? ` Did you mean ${near}?` : ''}`);
    }
    return stop(readableParseError(err as Error));
  }
  if ((parsed.values as { help?: boolean }).help) return { kind: 'stop', exitCode: 0, text: command.usage };
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length > max) return stop(`Unexpected argument${parsed.positionals.length - max > 1 ? 's' : ''}: ${parsed.positionals.slice(max).join(' ')}.`);
  if (parsed.positionals.length < min) return stop('Missing an argument.');
  return { kind: 'run', values: parsed.values, positionals: parsed.positionals };
}

/** node:util's messages, without their advice about '--' that does not apply here. */
function readableParseError(err: Error): string {
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(err.message);
  if (missing) return `${missing[1]} needs a value.`;
  const boolean = /Option '(--[\w-]+)' does not take an argument/.exec(err.message);
  if (boolean) return `${boolean[1]} takes no value.`;
  return err.message.split('. To specify')[0];
}

/** Reads this process's command line: prints the usage and exits on --help or a mistake. */
export function readCommandLine<O extends Options>(command: CommandLine<O>, argv: readonly string[] = process.argv.slice(2)): { values: Parsed<O>['values']; positionals: string[] } {
  const outcome = interpretArgs(command, argv);
  if (outcome.kind === 'run') return outcome;
  if (outcome.exitCode === 0) console.log(outcome.text);
  else console.error(outcome.text);
  process.exit(outcome.exitCode);
}

/** Stops the command with a usage mistake: the problem, then the usage text, exit code 2. */
export function usageFailure(command: CommandLine<Options>, problem: string): never {
  console.error(`${problem}\n\n${command.usage}`);
  process.exit(2);
}

/** A whole number flag within a range, or undefined when not given. */
export function wholeNumber(value: string | undefined, flag: string, range: { min: number; max?: number } = { min: 0 }): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (value.trim() === '' || !Number.isInteger(n) || n < range.min || n > max) {
    throw new UsageError(`${flag} must be a whole number${range.max === undefined ? ` from ${range.min}` : ` from ${range.min} to ${max}`}, not "${value}".`);
  }
  return n;
}

/** A decimal number flag in [min, max) (or [min, max] with `inclusiveMax`; no upper bound without `max`), or undefined when not given. */
export function decimalNumber(value: string | undefined, flag: string, range: { min: number; max?: number; inclusiveMax?: boolean; minExclusive?: boolean }): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const max = range.max ?? Infinity;
  const aboveMin = range.minExclusive ? n > range.min : n >= range.min;
  const belowMax = range.inclusiveMax ? n <= max : n < max;
  if (value.trim() === '' || !Number.isFinite(n) || !aboveMin || !belowMax) {
    const from = `${range.minExclusive ? 'above' : 'from'} ${range.min}`;
    const to = range.max === undefined ? '' : ` ${range.inclusiveMax ? 'up to' : 'below'} ${range.max}`;
    throw new UsageError(`${flag} must be a number ${from}${to}, not "${value}".`);
  }
  return n;
}

/** Flags that choose which epoch a run keeps and when it stops (train and experiment). */
export const SELECTION_OPTIONS = { selection: { type: 'string' }, patience: { type: 'string' } } as const;
export const SELECTION_USAGE = [
  '  --selection WHICH  the epoch whose weights are kept and evaluated: last-epoch (the paper\'s, default) or best-validation-loss',
  '  --patience N       stop early once the validation loss has not improved for N epochs (default: train every epoch)',
].join('\n');

/** The selection flags as configuration fields; the command then asks for validation after every epoch where needsEpochValidation says so. */
export function selectionFrom(values: { selection?: string; patience?: string }): Partial<Pick<TrainConfig, 'selection' | 'earlyStopping'>> {
  const out: Partial<Pick<TrainConfig, 'selection' | 'earlyStopping'>> = {};
  if (values.selection !== undefined) {
    if (!(EPOCH_SELECTIONS as readonly string[]).includes(values.selection)) throw new UsageError(`--selection must be ${EPOCH_SELECTIONS.join(' or ')}, not "${values.selection}".`);
    out.selection = values.selection as TrainConfig['selection'];
  }
  const patience = wholeNumber(values.patience, '--patience', { min: 1, max: 1000 });
  if (patience !== undefined) out.earlyStopping = { patience };
  return out;
}

/** The flags every command that opens a data directory takes. */
export const DATA_DIR_OPTION = { 'data-dir': { type: 'string' } } as const;
export const WORKERS_OPTION = { workers: { type: 'string' } } as const;
export const DATA_DIR_USAGE = '  --data-dir DIR     the data directory (default: MOSEI_WORKBENCH_DATA_DIR, else the desktop app\'s)';
export const WORKERS_USAGE = '  --workers N        training processes at once (default: MOSEI_WORKERS, else one per core)';

/**
 * Runs a command's main function and exits with its code; a UsageError prints the problem
 * and the usage (exit 2), any other error its message (exit 1).
 */
export function runCommand(command: CommandLine<Options>, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) usageFailure(command, err.message);
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
