/**
 * One import in a fresh process, so its peak memory is its own. Prints a JSON line:
 * { seconds, bytes, segments, maxRssMB }. Used by the import benchmark.
 */
import { statSync } from 'node:fs';
import { importMoseiCsd } from '../data/csd/importCsd';

const [covarepPath, labelsPath, dataDir] = process.argv.slice(2);
const started = performance.now();
const result = await importMoseiCsd({ covarepPath, labelsPath, dataDir, datasetId: 'bench-import' });
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    seconds,
    bytes: statSync(covarepPath).size + statSync(labelsPath).size,
    segments: result.written.segments,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
