/**
 * `npm run bench`: prints the workbench's speed and memory figures. Figures only, no
 * pass/fail: targets are read against them, never asserted in tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importBenchmark } from './importBench';
import { readCommandLine, usageFailure } from '../cli/commandLine';

const ROOT = resolve(import.meta.dirname, '..', '..');
const workDir = join(ROOT, 'test-output', 'bench');
mkdirSync(workDir, { recursive: true });

/** A benchmark that prints its own table, in a process of its own (clean memory and backend). */
async function printed(script: string, args: string[] = []): Promise<Record<string, number>> {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
  return {};
}

const sections: Array<[string, () => Promise<Record<string, number>>]> = [
  ['Import (.csd -> dataset cache)', () => importBenchmark(workDir)],
  ['GRU training step: fused layer vs tf.layers.gru vs matMul ceiling', () => printed('src-main/training/gru/benchGru.ts', ['--backend', 'wasm'])],
  ['Sweep fine-tunes on cached encoder outputs', () => printed('src-main/bench/trainingBench.ts', ['finetune', workDir])],
  ['Pre-training memory on the full-size built-in dataset', () => printed('src-main/bench/trainingBench.ts', ['memory', workDir])],
  ['Experiments: quick preset wall time, paper preset projection', () => printed('src-main/bench/experimentBench.ts', [workDir])],
  ['Controls: the quick preset on the built-in positive and negative controls', () => printed('src-main/bench/controlsBench.ts', [workDir])],
  ['Run history at 10,000 runs: pages, sorts, filters, search, facets', () => printed('src-main/bench/historyBench.ts', [workDir])],
];


const COMMAND = {
  usage: ['Usage: npm run bench [-- SECTION ...]', '', 'Speed and memory figures, printed (never asserted). Sections (a word of the title is enough):', ...sections.map(([title]) => `  ${title}`)].join('\n'),
  options: {},
  positionals: { min: 0, max: sections.length },
} as const;
const only = readCommandLine(COMMAND).positionals;
const unknown = only.filter((o) => !sections.some(([title]) => title.toLowerCase().includes(o.toLowerCase())));
if (unknown.length) usageFailure(COMMAND, `No section matches ${unknown.map((u) => `"${u}"`).join(', ')}.`);
for (const [title, run] of sections) {
  if (only.length && !only.some((o) => title.toLowerCase().includes(o.toLowerCase()))) continue;
  console.log(`\n## ${title}`);
  const figures = await run();
  for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(34)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
}
