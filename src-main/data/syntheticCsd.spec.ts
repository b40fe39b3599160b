import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '@shared/emotions';
import { importMoseiCsd } from './csd/importCsd';
import { FeatureReader, readIndex } from './datasetFiles';
import { exportSyntheticCsd } from './syntheticCsd';
import { generateSynthetic } from './synthetic';

const dir = mkdtempSync(join(tmpdir(), 'wb-synth-csd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('synthetic dataset exported as .csd', () => {
  it('imports back to exactly the generated segments, labels and features', async () => {
    const params = { seed: 11, segments: 15, segmentsPerVideo: 4, minFrames: 30, maxFrames: 90 };
    const { covarepPath, labelsPath } = await exportSyntheticCsd(params, dir, 1);
    const result = await importMoseiCsd({ covarepPath, labelsPath, dataDir: dir, datasetId: 'roundtrip' });
    expect(result.totals.nonFiniteReplaced).toBe(0);
    expect(result.droppedVideos).toEqual({ onlyInCovarep: [], onlyInLabels: [] });
    const index = readIndex(dir, 'roundtrip');
    const reader = new FeatureReader(dir, 'roundtrip');
    const generated = [...generateSynthetic(params)];
    expect(index.segments.map((s) => s.id)).toEqual(generated.map((s) => s.id));
    generated.forEach((g, i) => {
      const stored = index.segments[i];
      expect(stored.frames).toBe(g.features.length / FEATURE_COUNT);
      expect(stored.emotions).toEqual(g.emotions.map((e) => Math.fround(e)));
      expect(stored.sentiment).toBeCloseTo(g.sentiment, 5);
      expect(reader.read(stored)).toEqual(g.features);
    });
    reader.close();
  });
});
