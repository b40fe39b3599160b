import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendName } from '@shared/api/entities';
import { forcedBackend, parseGpuNames, pickBackend, recurrentChoiceFor, type BackendAttempt } from './backend';

const dir = mkdtempSync(join(tmpdir(), 'wb-backend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Attempts in the real order that fail (with the reason) or start, recording which were tried. */
function fakes(working: Partial<Record<BackendName, object>>, failing: Partial<Record<BackendName, string>> = {}) {
  const tried: BackendName[] = [];
  const attempts: BackendAttempt[] = (['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const).map((name) => ({
    name,
    start: async () => {
      tried.push(name);
      if (working[name]) return working[name];
      throw new Error(failing[name] ?? "Cannot find module '@tensorflow/tfjs-node'");
    },
  }));
  return { attempts, tried };
}

describe('pickBackend', () => {
  it('takes tfjs-node-gpu first where it loads, with its GPU', async () => {
    const { attempts, tried } = fakes({ 'tensorflow-gpu': { gpu: { name: 'NVIDIA A100-SXM4-40GB', count: 2 } }, wasm: {} });
    expect(await pickBackend(attempts)).toEqual({ name: 'tensorflow-gpu', reason: 'fastest available', gpu: { name: 'NVIDIA A100-SXM4-40GB', count: 2 } });
    expect(tried).toEqual(['tensorflow-gpu']);
  });

  it('falls back in order, saying why each faster one could not start', async () => {
    const { attempts, tried } = fakes({ wasm: { threads: { current: 1, max: 2 } } }, { 'tensorflow-gpu': 'libcudart.so.11.0: cannot open shared object file\nstack…' });
    expect(await pickBackend(attempts)).toEqual({
      name: 'wasm',
      reason: 'fallback: tfjs-node-gpu libcudart.so.11.0: cannot open shared object file; tfjs-node not installed',
      threads: { current: 1, max: 2 },
    });
    expect(tried).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
  });

  it('tries the backend MOSEI_BACKEND names first, by its command-line name, its name or its label', async () => {
    expect(forcedBackend('tfjs-node-gpu')).toBe('tensorflow-gpu');
    expect(forcedBackend('tensorflow')).toBe('tensorflow');
    expect(forcedBackend('WASM')).toBe('wasm');
    expect(forcedBackend('gpu')).toBeUndefined();
    const { attempts, tried } = fakes({ 'tensorflow-gpu': { gpu: { name: 'RTX 4090', count: 1 } }, cpu: {} });
    expect(await pickBackend(attempts, 'cpu')).toEqual({ name: 'cpu', reason: 'chosen by MOSEI_BACKEND=cpu' });
    expect(tried).toEqual(['cpu']);
    const forcedGpu = fakes({ wasm: {} }, { 'tensorflow-gpu': 'no CUDA driver' });
    expect((await pickBackend(forcedGpu.attempts, 'tfjs-node-gpu')).reason).toBe('fallback: tfjs-node-gpu no CUDA driver; tfjs-node not installed');
  });

  it('says when MOSEI_BACKEND names no backend, and when none starts at all', async () => {
    const { attempts } = fakes({ wasm: {} });
    expect((await pickBackend(attempts, 'gpu')).reason).toBe('MOSEI_BACKEND=gpu names no backend (it takes tfjs-node-gpu, tfjs-node, wasm, cpu); fallback: tfjs-node-gpu not installed; tfjs-node not installed');
    await expect(pickBackend(fakes({}).attempts)).rejects.toThrow('No TensorFlow.js backend could start: tfjs-node-gpu not installed; tfjs-node not installed; WASM not installed; plain JS (cpu) not installed');
  });
});

describe('GPU names', () => {
  it('reads one name a line from nvidia-smi', () => {
    expect(parseGpuNames('NVIDIA GeForce RTX 3090\nNVIDIA GeForce RTX 3090\n\n')).toEqual(['NVIDIA GeForce RTX 3090', 'NVIDIA GeForce RTX 3090']);
    expect(parseGpuNames('')).toEqual([]);
  });
});

describe('recurrentChoiceFor', () => {
  it('times both GRUs once per backend, version and GPU, and reads the timing back after', async () => {
    const file = join(dir, 'calibration.json');
    let timings = 0;
    const time = async () => {
      timings++;
      return { fused: 80, autograd: 20 };
    };
    const gpu = { name: 'tensorflow-gpu' as const, tfjsVersion: '4.22.0', gpu: { name: 'RTX 4090', count: 1 } };
    expect((await recurrentChoiceFor(gpu, file, time)).layer).toBe('autograd');
    expect((await recurrentChoiceFor(gpu, file, time)).measured).toEqual({ fused: 80, autograd: 20 });
    expect(timings).toBe(1);
    await recurrentChoiceFor({ ...gpu, gpu: { name: 'A100', count: 1 } }, file, time);
    await recurrentChoiceFor({ name: 'tensorflow', tfjsVersion: '4.22.0', gpu: null }, file, time);
    expect(timings).toBe(3);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual(['tensorflow-gpu|4.22.0|RTX 4090', 'tensorflow-gpu|4.22.0|A100', 'tensorflow|4.22.0|']);
    writeFileSync(file, '{"tensorflow|4.22.0|": ');
    expect((await recurrentChoiceFor({ name: 'tensorflow', tfjsVersion: '4.22.0', gpu: null }, file, time)).layer).toBe('autograd');
    expect(timings).toBe(4); // a damaged file is timed again
  });

  it('does not time WASM or plain JS', async () => {
    const file = join(dir, 'untouched.json');
    const choice = await recurrentChoiceFor({ name: 'wasm', tfjsVersion: '4.22.0', gpu: null }, file, async () => {
      throw new Error('timed');
    });
    expect(choice.layer).toBe('fused');
    expect(existsSync(file)).toBe(false);
  });
});
