import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { DatasetRepository } from '../store/datasets';
import { SplitRepository } from '../store/splits';
import { BUILTIN_DATASET_ID, DatasetService } from './datasetService';
import { datasetExists, removeDataset } from './datasetFiles';
import { ControlParams, NEGATIVE_CONTROL, NEGATIVE_CONTROL_ID, POSITIVE_CONTROL, POSITIVE_CONTROL_ID } from '@shared/data/controls';
import { generateControl } from './controlGenerator';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tiny = { seed: 3, segments: 12, segmentsPerVideo: 5, minFrames: 20, maxFrames: 40 };

function service() {
  const dir = mkdtempSync(join(tmpdir(), 'wb-ds-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  return { dir, svc: new DatasetService(dir, new DatasetRepository(db), new SplitRepository(db)) };
}

describe('DatasetService', () => {
  it('creates the built-in dataset once, deterministically, labelled synthetic', async () => {
    const a = service();
    const first = await a.svc.ensureBuiltin(tiny);
    expect(first).toMatchObject({ id: BUILTIN_DATASET_ID, synthetic: true, segments: 12, videos: 3, features: 74 });
    expect(first.name).toMatch(/synthetic/i);
    expect(await a.svc.ensureBuiltin(tiny)).toEqual(first);
    const b = service();
    expect((await b.svc.ensureBuiltin(tiny)).fingerprint).toBe(first.fingerprint);
  });

  it('regenerates the built-in files if they were deleted', async () => {
    const { dir, svc } = service();
    await svc.ensureBuiltin(tiny);
    removeDataset(dir, BUILTIN_DATASET_ID);
    expect(() => svc.segments(BUILTIN_DATASET_ID)).toThrow(/files of dataset .* are missing/);
    await svc.ensureBuiltin(tiny);
    expect(svc.segments(BUILTIN_DATASET_ID)).toHaveLength(12);
  });

  it('lists segments and returns one segment with its 74 named features', async () => {
    const { svc } = service();
    await svc.ensureBuiltin(tiny);
    const rows = svc.segments(BUILTIN_DATASET_ID);
    expect(rows[0]).toMatchObject({ index: 0, id: 'synthetic_0000[0]', video: 'synthetic_0000' });
    expect(rows[0].emotions).toHaveLength(6);
    const seg = svc.segment(BUILTIN_DATASET_ID, 2, 10);
    expect(seg.featureNames).toHaveLength(74);
    expect(seg.shownFrames).toBe(10);
    expect(seg.values).toHaveLength(10 * 74);
    expect(seg.frames).toBe(rows[2].frames);
    expect(() => svc.segment(BUILTIN_DATASET_ID, 99, 10)).toThrow(/has 12 segments/);
    expect(() => svc.segments('nope')).toThrow(/does not exist/);
  });

  it('stores each split once with its dataset and lists the default split sizes', async () => {
    const { svc } = service();
    await svc.ensureBuiltin(tiny);
    expect(svc.list()[0].defaultSplit).toEqual({ train: 10, validation: 2 });
    const sides = svc.segments(BUILTIN_DATASET_ID).map((r) => r.split);
    expect(sides.filter((s) => s === 'validation')).toHaveLength(2);
    expect(sides.filter((s) => s === 'train')).toHaveLength(10);
    const byVideo = svc.split(BUILTIN_DATASET_ID, { kind: 'by-video', validationFraction: 0.3, seed: 4, testFraction: 0 });
    expect(svc.split(BUILTIN_DATASET_ID, { kind: 'by-video', validationFraction: 0.3, seed: 4, testFraction: 0 })).toEqual(byVideo);
    const rows = svc.segments(BUILTIN_DATASET_ID);
    const videosOf = (idx: number[]) => new Set(idx.map((i) => rows[i].video));
    const shared = [...videosOf(byVideo.assignment.train)].filter((v) => videosOf(byVideo.assignment.validation).has(v));
    expect(shared).toEqual([]);
    expect(() => svc.split(BUILTIN_DATASET_ID, { kind: 'sdk-standard', validationFraction: 0.2, seed: 0, testFraction: 0 })).toThrow(/standard folds/);
  });

  it('creates the positive and negative controls on a first start, with their parameters, and nothing else', async () => {
    const { dir, svc } = service();
    expect(await svc.ensureBuiltins()).toEqual([POSITIVE_CONTROL_ID, NEGATIVE_CONTROL_ID]);
    const listed = svc.list();
    expect(listed.map((d) => d.id)).toEqual([POSITIVE_CONTROL_ID, NEGATIVE_CONTROL_ID]);
    const [positive, negative] = listed;
    expect(positive).toMatchObject({ synthetic: true, segments: 2400, videos: 400, features: 74, control: POSITIVE_CONTROL, defaultSplit: { train: 1920, validation: 480 } });
    expect(negative).toMatchObject({ synthetic: true, segments: 2400, control: NEGATIVE_CONTROL });
    expect(positive.name).toMatch(/positive control.*synthetic/i);
    expect(negative.name).toMatch(/negative control.*synthetic/i);
    expect(positive.fingerprint).not.toBe(negative.fingerprint); // same features, other labels
    // A later start creates nothing, and files that went missing come back identical.
    removeDataset(dir, NEGATIVE_CONTROL_ID);
    expect(await svc.ensureBuiltins()).toEqual([]);
    expect(datasetExists(dir, NEGATIVE_CONTROL_ID)).toBe(true);
    expect(svc.list()).toEqual(listed);
  });

  it('regenerates a control recorded by an earlier version from its recorded parameters, and refuses files that do not match its fingerprint', async () => {
    const { dir, svc } = service();
    // A positive control as recorded before prevalence and intensity steps were parameters (small, to be quick).
    const earlier = { generator: 'affect-factors', seed: 20240611, segments: 300, segmentsPerVideo: 6, minFrames: 60, maxFrames: 160, signal: 1, temporalShare: 1, noise: 5 };
    const made = await svc.ensureSynthetic(POSITIVE_CONTROL_ID, 'Positive control', ControlParams.parse(earlier));
    const db = openDatabase(dir);
    const record = (params: object) => db.prepare('UPDATE datasets SET params_json = ? WHERE id = ?').run(JSON.stringify(params), POSITIVE_CONTROL_ID);
    record(earlier);
    removeDataset(dir, POSITIVE_CONTROL_ID);
    expect(await svc.ensureBuiltins()).toEqual([NEGATIVE_CONTROL_ID]);
    expect(svc.get(POSITIVE_CONTROL_ID)).toMatchObject({ fingerprint: made.fingerprint, segments: 300, control: { prevalence: [0.5, 0.25, 0.2, 0.17, 0.17, 0.17], intensityStep: 0.3 } });
    expect(svc.emotionLabels(POSITIVE_CONTROL_ID)).toEqual([...generateControl(ControlParams.parse(earlier))].map((s) => s.emotions));
    // Recorded parameters that no longer make the recorded files: a clear refusal, no files that pass for them.
    record({ ...earlier, seed: 7 });
    removeDataset(dir, POSITIVE_CONTROL_ID);
    await expect(svc.ensureBuiltins()).rejects.toThrow(/Positive control.*regenerated from its recorded parameters, do not match its recorded fingerprint.*restore the folder/);
    expect(datasetExists(dir, POSITIVE_CONTROL_ID)).toBe(false);
    db.close();
  });

  it('keeps the first built-in dataset where a data directory has it, regenerating its files from their recorded parameters', async () => {
    const { dir, svc } = service();
    const legacy = await svc.ensureBuiltin(tiny);
    removeDataset(dir, BUILTIN_DATASET_ID);
    expect(await svc.ensureBuiltins()).toEqual([POSITIVE_CONTROL_ID, NEGATIVE_CONTROL_ID]);
    expect(svc.list().map((d) => d.id)).toEqual([BUILTIN_DATASET_ID, POSITIVE_CONTROL_ID, NEGATIVE_CONTROL_ID]);
    expect(svc.get(BUILTIN_DATASET_ID)).toEqual({ ...legacy, defaultSplit: { train: 10, validation: 2 } });
    expect(svc.get(BUILTIN_DATASET_ID).control).toBeNull();
    expect(svc.segments(BUILTIN_DATASET_ID)).toHaveLength(12);
  });
});
