import { describe, expect, it } from 'vitest';
import type { BackendInfo, BackendName, DatasetSummary } from '@shared/api/entities';
import { planShape } from '@shared/experiments/ablationPlan';
import { experimentPlan } from '@shared/experiments/presets';
import { BENCH_SCALING, encodingWork, projectExperiment, speedUp, trainingWork, type RemoteSlots } from '@shared/experiments/projection';
import type { FinishedRun } from '../store/runs';
import type { RemoteWorker } from '../training/remoteDispatch';
import { previewExperiment, type PreviewDeps } from './experimentPreview';
import type { CheckedPlan } from './planRules';

const plan = experimentPlan('quick', [20], 1);
const sizes = { train: 100, validation: 20, test: 20 };
const checked: CheckedPlan = { dataset: { id: 'd1', fingerprint: 'fp' } as DatasetSummary, plan, shape: planShape(plan), warnings: [] };
const pretrainWork = trainingWork('pretrain', plan.pretrain, sizes);
const baselineWork = trainingWork('baseline', { ...plan.supervised, labels: { ...plan.supervised.labels, count: 20 } }, sizes);
const encoding = encodingWork(plan.pretrain, sizes);

let nextId = 1;
/** A finished run of the plan's configurations taking `perUnit` seconds per unit of work (a fine-tune on cached outputs: `perUnit` seconds). */
function run(kind: FinishedRun['kind'], perUnit: number, where: { backend: BackendName; host: string | null; threads: number | null; encoded?: boolean }): FinishedRun {
  const config = kind === 'pretrain' ? plan.pretrain : { ...plan.supervised, labels: { ...plan.supervised.labels, count: 20 } };
  const work = kind === 'pretrain' ? pretrainWork : kind === 'baseline' ? baselineWork : where.encoded ? encoding : 1;
  return { id: nextId++, kind, datasetId: 'd1', config, parentRunId: null, seconds: perUnit * work, encoded: where.encoded ?? false, cores: 2, ...where };
}

const here = { backend: 'wasm' as const, host: null, threads: 1 };
/** This machine's runs at one thread; gpu-01's runs (tensorflow, no thread counts) ten times faster. */
const stored: FinishedRun[] = [
  run('pretrain', 1e-6, here), run('baseline', 2e-6, here), run('finetune', 3e-7, { ...here, encoded: true }), run('finetune', 0.5, here),
  run('pretrain', 1e-7, { backend: 'tensorflow', host: 'gpu-01', threads: null }), run('baseline', 2e-7, { backend: 'tensorflow', host: 'gpu-01', threads: null }),
];

function deps(workers: RemoteWorker[]): PreviewDeps {
  return {
    runs: { finishedRuns: () => stored, findReusablePretrain: () => null, hasFinishedFinetune: () => false },
    datasets: { splitSizes: () => sizes },
    training: {
      backendInfo: () => ({ name: 'wasm', reason: 'test', tfjsVersion: '4', threads: { current: 1, max: 8 } }) as BackendInfo,
      poolSize: () => 2,
      coreSharing: () => ({ cores: 2, maxThreads: 8 }),
      remoteWorkersFor: (datasetId) => (datasetId === 'd1' ? workers : []),
    },
  };
}

describe('the form\'s projected time with a cluster', () => {
  const workers: RemoteWorker[] = [
    { host: 'gpu-01', backend: 'tensorflow', poolSize: 2 }, // its own host's runs
    { host: 'cpu-05', backend: 'wasm', poolSize: 1 }, // no run on its host: its backend's runs, as measured
    { host: 'tpu-09', backend: 'tensorflow-gpu', poolSize: 4 }, // nothing measured on either
  ];

  it('counts the local processes and the slots of the workers that hold the dataset, and says which worker it left out', () => {
    const { projection } = previewExperiment(checked, deps(workers));
    expect(projection.counted).toBe('2 local processes + 3 slots on 2 workers');
    expect(projection.leftOut).toEqual([
      'the worker on tpu-09 (tensorflow-gpu, 4 slots): unknown until a pre-training and a baseline have trained on its host or backend, so not counted',
    ]);
    expect(projection.rough).toBeNull();
    // The workers' speeds: gpu-01's own runs, cpu-05 those of WASM runs (this machine's, as measured); fine-tunes local at one-thread speed.
    const remote: RemoteSlots[] = [{ slots: 2, pretrain: 1e-7, baseline: 2e-7 }, { slots: 1, pretrain: 1e-6, baseline: 2e-6 }];
    const local = { pretrain: 1e-6, baseline: 2e-6, encoding: 3e-7, finetune: 0.5, asMeasured: [] };
    const expected = projectExperiment({ pretrainings: [{ work: pretrainWork, done: false, finetunes: 1, encodingWork: encoding, encoded: false }], baselines: [baselineWork] }, local, { workers: 2, cores: 2, maxThreads: 8, scaling: BENCH_SCALING, remote });
    expect(projection.seconds).toBeCloseTo(expected.seconds!, 9);
    // By hand: the pre-training on one of gpu-01's slots, then its one fine-tune alone here at two threads,
    // beside the baseline on gpu-01's other slot, which ends last.
    const pretrainThenFinetune = pretrainWork * 1e-7 + (encoding * 3e-7 + 0.5) / speedUp(2, BENCH_SCALING);
    expect(pretrainThenFinetune).toBeLessThan(baselineWork * 2e-7);
    expect(projection.seconds).toBeCloseTo(baselineWork * 2e-7, 6);
  });

  it('without workers for the dataset, counts the local processes alone and plays every run here', () => {
    const { projection } = previewExperiment(checked, deps([]));
    expect(projection.counted).toBe('2 local processes');
    expect(projection.leftOut).toEqual([]);
    // Here the pre-training and the baseline share the 2 cores, one thread each, at this machine's speeds.
    const withWorkers = previewExperiment(checked, deps(workers)).projection.seconds!;
    expect(projection.seconds!).toBeGreaterThan(withWorkers);
    const local = { pretrain: 1e-6, baseline: 2e-6, encoding: 3e-7, finetune: 0.5, asMeasured: [] };
    const jobs = { pretrainings: [{ work: pretrainWork, done: false, finetunes: 1, encodingWork: encoding, encoded: false }], baselines: [baselineWork] };
    expect(projection.seconds).toBeCloseTo(projectExperiment(jobs, local, { workers: 2, cores: 2, maxThreads: 8, scaling: BENCH_SCALING }).seconds!, 9);
  });

  it('still projects from runs that recorded no threads, and says the figure is rough', () => {
    const old = deps([]);
    old.runs.finishedRuns = () => stored.map((r) => ({ ...r, threads: null }));
    const { projection } = previewExperiment(checked, old);
    expect(projection.seconds).toBeGreaterThan(0);
    expect(projection.rough).toMatch(/^rough: the runs it is measured from did not record their threads/);
  });
});
