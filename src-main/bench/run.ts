/**
 * `npm run bench`: prints the workbench's speed and memory figures. Figures only, no
 * pass/fail: targets are read against them, never asserted in tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importBenchmark } from './importBench';
import { readCommandLine, usageFailure, wholeNumber, UsageError } from '../cli/commandLine';
import { maxWasmThreads } from '../training/backend';
import { paperSection, stepsSection } from './trainingSections';

const ROOT = resolve(import.meta.dirname, '..', '..');
const workDir = join(ROOT, 'test-output', 'bench');
mkdirSync(workDir, { recursive: true });

/** A benchmark that prints its own table, in a process of its own (clean memory and backend). */
function printed(script: string, args: string[] = []): void {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
}

interface Settings {
  threads: number;
  workers: number | undefined;
}

const sections: Array<{ key: string; title: string; run: (s: Settings) => Promise<void> }> = [
  {
    key: 'import',
    title: 'Import (.csd -> dataset cache)',
    run: async () => {
      const figures = await importBenchmark(workDir);
      for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(34)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
    },
  },
  {
    key: 'steps',
    title: "Training steps of the paper's configuration: the jobs' own code against tf.layers and the matMul ceiling, at 1 and N threads",
    run: (s) => stepsSection(workDir, s.threads),
  },
  {
    key: 'paper',
    title: 'The paper preset: projected wall time and disk on this backend and pool, from measured steps of each job kind',
    run: (s) => paperSection(workDir, s.workers),
  },
  {
    key: 'quick',
    title: 'The quick preset from scratch, real training processes: wall time with 1 and 2 processes',
    run: async () => printed('src-main/bench/experimentBench.ts', [workDir]),
  },
  {
    key: 'cluster',
    title: 'The quick preset on a cluster: local pool alone, then with two workers on a local redis-server, and the overhead per remote job',
    run: async () => printed('src-main/bench/clusterBench.ts', [workDir]),
  },
  {
    key: 'ablation',
    title: 'The Quick ablation over mask.spanLength = 5, 15, 30 (3 label counts, 2 repeats) from scratch: wall time with 1 and 2 processes, beside its projection',
    run: async () => printed('src-main/bench/ablationBench.ts', [workDir]),
  },
  {
    key: 'controls',
    title: 'Controls: the quick preset on the built-in positive and negative controls, with their checks',
    run: async () => printed('src-main/bench/controlsBench.ts', [workDir]),
  },
  {
    key: 'history',
    title: 'Run history at 10,000 runs: pages, sorts, filters, search, facets',
    run: async () => printed('src-main/bench/historyBench.ts', [workDir]),
  },
];

const COMMAND = {
  usage: [
    'Usage: npm run bench [-- SECTION ...] [--threads N] [--workers N]',
    '',
    'Speed and memory figures, printed (never asserted). Sections (all when none is named):',
    ...sections.map((s) => `  ${s.key.padEnd(9)} ${s.title}`),
    '',
    `  --threads N   steps: the N of "1 and N threads" (default: this machine's cores, at most 8: ${maxWasmThreads()})`,
    '  --workers N   paper: training processes in the pool (default: the backend\'s, as the app chooses)',
  ].join('\n'),
  options: { threads: { type: 'string' }, workers: { type: 'string' } },
  positionals: { min: 0, max: sections.length },
} as const;

const { values, positionals: only } = readCommandLine(COMMAND);
const unknown = only.filter((o) => !sections.some((s) => s.key === o.toLowerCase()));
if (unknown.length) usageFailure(COMMAND, `No section is called ${unknown.map((u) => `"${u}"`).join(', ')}.`);
let settings: Settings;
try {
  settings = { threads: wholeNumber(values.threads, '--threads', { min: 1, max: 8 }) ?? maxWasmThreads(), workers: wholeNumber(values.workers, '--workers', { min: 1, max: 64 }) };
} catch (err) {
  if (err instanceof UsageError) usageFailure(COMMAND, err.message);
  throw err;
}
for (const section of sections) {
  if (only.length && !only.some((o) => o.toLowerCase() === section.key)) continue;
  console.log(`\n## ${section.title}`);
  await section.run(settings);
}
