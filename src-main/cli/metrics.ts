/**
 * Prints every metric of a predictions file as pretty JSON.
 *
 *   npx tsx src-main/cli/metrics.ts <file.json>
 *
 * The file holds `y` (labels) and `p` (predictions), each [n][6] in EMOTIONS order, like
 * shared/fixtures/reference/metrics_vectors.json. Any problem is one line on stderr and exit code 1.
 */
import { readFileSync } from 'node:fs';
// Relative, not '@shared/...': tsx maps the alias only when started from the project root.
import { computeAllMetrics, validateLabelsAndPredictions } from '../../src-shared/metrics/index';

const USAGE = 'usage: npx tsx src-main/cli/metrics.ts <file.json>  (the file holds "y" and "p", each [n][6])';

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

function main(args: readonly string[]): number {
  if (args.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  try {
    const input = readInput(args[0]);
    const { y, p } = validateLabelsAndPredictions(input.y, input.p);
    process.stdout.write(`${JSON.stringify(computeAllMetrics(y, p), null, 2)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`metrics: ${messageOf(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
