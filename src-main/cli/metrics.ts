/**
 * Prints every metric of a predictions file as pretty JSON.
 *
 *   npm run metrics -- FILE.json
 *
 * The file holds `y` (labels) and `p` (predictions), each [n][6] in EMOTIONS order, like
 * test/fixtures/reference/metrics_vectors.json. A problem with the file is one line on stderr
 * and exit code 1; a usage mistake prints the usage, exit code 2.
 */
import { readFileSync } from 'node:fs';
// Relative, not '@shared/...': tsx maps the alias only when started from the project root.
import { computeAllMetrics, validateLabelsAndPredictions } from '../../src-shared/metrics/index';

import { readCommandLine } from './commandLine';

const COMMAND = {
  usage: ['Usage: npm run metrics -- FILE.json', '', 'Prints every metric of the labels "y" and predictions "p" (each [n][6], emotions in the workbench\'s order) as JSON.'].join('\n'),
  options: {},
  positionals: { min: 1, max: 1 },
} as const;

function readInput(path: string): { y: unknown; p: unknown } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${messageOf(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${messageOf(error)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path} must hold a JSON object with "y" and "p" arrays`);
  }
  const record = parsed as Record<string, unknown>;
  for (const key of ['y', 'p']) {
    if (!(key in record)) throw new Error(`${path} has no "${key}" array`);
  }
  return { y: record.y, p: record.p };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function main(): number {
  const [file] = readCommandLine(COMMAND).positionals;
  try {
    const input = readInput(file);
    const { y, p } = validateLabelsAndPredictions(input.y, input.p);
    process.stdout.write(`${JSON.stringify(computeAllMetrics(y, p), null, 2)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`metrics: ${messageOf(error)}\n`);
    return 1;
  }
}

process.exitCode = main();
