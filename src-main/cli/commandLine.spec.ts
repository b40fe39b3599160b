import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nearestFlag } from '../launcher/nearestFlag.mjs';
import { decimalNumber, interpretArgs, UsageError, wholeNumber } from './commandLine';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'wb-cli-flags-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('interpretArgs', () => {
  const command = { usage: 'Usage: demo --labels LIST [--json]', options: { labels: { type: 'string' }, json: { type: 'boolean' } } } as const;

  it('reads known flags in both spellings', () => {
    expect(interpretArgs(command, ['--labels', '20,50', '--json'])).toMatchObject({ kind: 'run', values: { labels: '20,50', json: true } });
    expect(interpretArgs(command, ['--labels=20'])).toMatchObject({ kind: 'run', values: { labels: '20' } });
  });

  it('stops on a misspelled flag with the nearest valid one and the usage', () => {
    expect(interpretArgs(command, ['--label', '20,50'])).toEqual({ kind: 'stop', exitCode: 2, text: 'Unknown option --label. Did you mean --labels?\n\nUsage: demo --labels LIST [--json]' });
    expect(interpretArgs(command, ['--jsn'])).toMatchObject({ text: expect.stringMatching(/^Unknown option --jsn\. Did you mean --json\?/) });
    expect(interpretArgs(command, ['--verbose'])).toMatchObject({ text: expect.stringMatching(/^Unknown option --verbose\.\n/) });
  });

  it('stops on a flag without its value, a value for a switch, or a stray argument', () => {
    expect(interpretArgs(command, ['--labels'])).toMatchObject({ exitCode: 2, text: expect.stringMatching(/^--labels needs a value\./) });
    expect(interpretArgs(command, ['--json=yes'])).toMatchObject({ exitCode: 2, text: expect.stringMatching(/^--json takes no value\./) });
    expect(interpretArgs(command, ['20,50'])).toMatchObject({ exitCode: 2, text: expect.stringMatching(/^Unexpected argument: 20,50\./) });
  });

  it('answers --help and -h with the usage and exit code 0', () => {
    expect(interpretArgs(command, ['--help'])).toEqual({ kind: 'stop', exitCode: 0, text: command.usage });
    expect(interpretArgs(command, ['-h'])).toEqual({ kind: 'stop', exitCode: 0, text: command.usage });
  });

  it('checks whole numbers and their range', () => {
    expect(wholeNumber('12', '--repeats', { min: 1 })).toBe(12);
    expect(wholeNumber(undefined, '--repeats', { min: 1 })).toBeUndefined();
    for (const bad of ['0', '1.5', '', 'ten', '-3']) expect(() => wholeNumber(bad, '--repeats', { min: 1 })).toThrow(UsageError);
    expect(() => wholeNumber('70000', '--port', { min: 0, max: 65535 })).toThrow('--port must be a whole number from 0 to 65535, not "70000".');
  });

  it('checks decimal numbers and their range, with or without an upper bound', () => {
    expect(decimalNumber('0.25', '--signal', { min: 0, max: 1, inclusiveMax: true })).toBe(0.25);
    expect(decimalNumber('1', '--signal', { min: 0, max: 1, inclusiveMax: true })).toBe(1);
    expect(() => decimalNumber('1', '--test-fraction', { min: 0, max: 1 })).toThrow('--test-fraction must be a number from 0 below 1, not "1".');
    expect(decimalNumber('1e6', '--noise', { min: 0 })).toBe(1e6);
    expect(() => decimalNumber('-1', '--noise', { min: 0 })).toThrow('--noise must be a number from 0, not "-1".');
    for (const bad of ['', 'Infinity', 'NaN', 'x']) expect(() => decimalNumber(bad, '--noise', { min: 0 })).toThrow(UsageError);
  });

  it('suggests only flags that are close', () => {
    expect(nearestFlag('--data-dri', ['--data-dir', '--dataset'])).toBe('--data-dir');
    expect(nearestFlag('--lab', ['--labels', '--label-seed'])).toBe('--labels');
    expect(nearestFlag('--x', ['--labels'])).toBeNull();
  });
});

/** Every command, run as a researcher runs it: a misspelled flag stops it with the usage, --help prints it. */
describe.each([
  ['npm run import', ['--import', 'tsx', 'src-main/cli/import.ts'], '--covarep-file', '--covarep'],
  ['npm run synthetic', ['--import', 'tsx', 'src-main/cli/synthetic.ts'], '--segment', '--segments'],
  ['npm run train', ['--import', 'tsx', 'src-main/cli/train.ts'], '--epoch', '--epochs'],
  ['npm run experiment', ['--import', 'tsx', 'src-main/cli/experiment.ts'], '--label', '--labels'],
  ['npm run export', ['--import', 'tsx', 'src-main/cli/export.ts'], '--fromat', '--format'],
  ['npm run bundle', ['--import', 'tsx', 'src-main/cli/bundle.ts'], '--ascopy', '--as-copy'],
  ['npm run metrics', ['--import', 'tsx', 'src-main/cli/metrics.ts'], '--splt', '--split'],
  ['npm run predictions', ['--import', 'tsx', 'src-main/cli/predictions.ts'], '--runn', '--run'],
  ['npm run worker', ['--import', 'tsx', 'src-main/cli/worker.ts'], '--redsi', '--redis'],
  ['npm run parity', ['--import', 'tsx', 'src-main/tools/parity/cli.ts'], '--backnd', '--backend'],
  ['npm run bench', ['--import', 'tsx', 'src-main/bench/run.ts'], '--sections', null],
  ['npm run serve', ['--import', 'tsx', 'src-main/serve.ts'], '--prot', '--port'],
  ['npm start', ['src-main/launcher/start.mjs'], '--data-dri', '--data-dir'],
] as const)('%s', (name, command, typo, suggestion) => {
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [...command, ...args], { cwd: ROOT, env: { ...process.env, MOSEI_WORKBENCH_DATA_DIR: dataDir }, timeout: 60_000 }, (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('refuses a misspelled flag with its usage, before doing anything', async () => {
    const { code, stderr } = await run([typo, '1']);
    expect(code).toBe(2);
    expect(stderr).toContain(`Unknown option ${typo}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`);
    expect(stderr).toContain(`Usage: ${name}`);
  });

  it('prints its usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: ${name.replace(/ /g, ' ')}`));
  });
});
