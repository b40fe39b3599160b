/**
 * Multi-threaded WASM in Node.
 *
 * tfjs-backend-wasm ships a threaded SIMD build (XNNPACK on a pthread pool of Web Workers)
 * but only enables it in browsers, and there it hands Emscripten its pthread worker script
 * and its own main script as Blob URLs, which Node's worker_threads cannot load. This module
 * lets it run in Node:
 *
 * - while the backend initialises, the two scripts are caught as they are made into Blobs
 *   and written to files (in a folder named by their content, so the training processes of a
 *   data directory share them and a tfjs upgrade writes its own: `<data dir>/wasm-threads`); the
 *   worker file starts with what the bundler defines in the package's own scope and the
 *   scripts expect as globals (`require$$N`, `commonjsGlobal`), and hands the worker the
 *   main script's file where it would read the Blob;
 * - Emscripten sizes XNNPACK's pool at most `os.cpus().length / 2` (it assumes two hardware
 *   threads per core), so the CPU count it reads is raised for the moment it reads it.
 *
 * The build starts 8 pthread workers with the backend and never more in time: a pool that
 * needs a worker none is left for waits forever for one (it would start only once the main
 * thread is free). So a pool only grows while idle workers remain (`setWasmThreads`).
 *
 * The scripts are caught at run time rather than copied into the repository so that a tfjs
 * upgrade brings its own; `wasmThreads.spec.ts` fails if these shims stop working.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomically } from '../platform/atomicFile';

/** How the package's main script starts: `var WasmBackendModuleThreadedSimd = <factory>`. */
const MAIN_SCRIPT_PREFIX = 'var WasmBackendModuleThreadedSimd';
/** What the pthread worker script starts with (Emscripten's worker.js). */
const WORKER_SCRIPT_MARK = 'ENVIRONMENT_IS_PTHREAD';

/** The subset of the wasm backend's module this file uses (tfjs's own names). */
interface ThreadedModule {
  tfjs: { initWithThreadsCount(n: number): void; getThreadsCount(): number };
  PThread?: { unusedWorkers?: unknown[] };
}

export interface WasmThreadScripts {
  dir: string;
  worker: string;
  main: string;
}

/** Where the caught scripts go when no folder is given (a process without a data directory). */
const defaultScriptRoot = () => join(os.tmpdir(), 'mosei-ssl-workbench-wasm-threads');

function writeOnce(path: string, text: string): void {
  if (!existsSync(path)) writeFileAtomically(path, text);
}

/** The prelude that gives the worker the globals the package's scripts expect, and the main script's file. */
function workerPrelude(mainScript: string): string {
  return [
    '"use strict";',
    // The bundle's names for fs, path, perf_hooks and os.
    "Object.assign(globalThis, { require$$0: require('fs'), require$$1: require('path'), require$$3: require('perf_hooks'), require$$4: require('os'), commonjsGlobal: globalThis });",
    // The worker is handed the main script as a Blob and turns it into a URL to import: give it the file.
    `URL.createObjectURL = () => ${JSON.stringify(mainScript)};`,
    'URL.revokeObjectURL = () => undefined;',
    '',
  ].join('\n');
}

/**
 * Catches the two scripts while `init` runs (the backend's initialisation) and writes them
 * under `root`. Returns what `init` returned and where the scripts are.
 */
async function withScriptsAsFiles<T>(root: string, threads: number, init: () => Promise<T>): Promise<{ result: T; scripts: WasmThreadScripts }> {
  const RealBlob = globalThis.Blob;
  const realCreateObjectURL = URL.createObjectURL;
  const realCpus = os.cpus;
  const texts = new WeakMap<Blob, string>();
  let mainText: string | null = null;
  let scripts: WasmThreadScripts | null = null;
  const mainFile = () => {
    if (mainText === null) throw new Error('the threaded build made its worker before its main script');
    const dir = join(root, createHash('sha256').update(mainText).digest('hex').slice(0, 16));
    mkdirSync(dir, { recursive: true });
    const main = join(dir, 'main.js');
    writeOnce(main, mainText);
    return { dir, main };
  };
  function CapturingBlob(parts?: BlobPart[], options?: BlobPropertyBag): Blob {
    const blob = new RealBlob(parts, options);
    const text = parts?.every((p) => typeof p === 'string') ? parts.join('') : null;
    if (text?.startsWith(MAIN_SCRIPT_PREFIX)) mainText = text;
    else if (text?.includes(WORKER_SCRIPT_MARK)) texts.set(blob, text);
    return blob;
  }
  CapturingBlob.prototype = RealBlob.prototype;
  globalThis.Blob = CapturingBlob as unknown as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const text = texts.get(obj);
    if (text === undefined) return realCreateObjectURL(obj);
    const { dir, main } = mainFile();
    // The worker file's name is .cjs: the package it sits beside may declare "type": "module".
    const worker = join(dir, 'worker.cjs');
    writeOnce(worker, workerPrelude(main) + text);
    scripts = { dir, worker, main };
    return worker;
  };
  // Emscripten reads the CPU count once, while the module starts, and caps the pool at half of it.
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * Math.max(threads, cpus.length) }, (_, i) => cpus[i % cpus.length]);
  };
  try {
    const result = await init();
    if (!scripts) throw new Error('the threaded build did not make its pthread worker script as tfjs 4.22 does');
    return { result, scripts };
  } finally {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreateObjectURL;
    os.cpus = realCpus;
  }
}

let active: { module: ThreadedModule; scripts: WasmThreadScripts } | null = null;

/**
 * Starts the wasm backend's threaded build with `threads` XNNPACK threads (at most 8, tfjs's
 * cap) and returns how many it started. Call before any other wasm initialisation in this
 * process; `wasmPaths` is the folder holding the .wasm files (with a trailing slash).
 */
export async function startThreadedWasm(threads: number, wasmPaths: string, scriptRoot: string = defaultScriptRoot()): Promise<{ threads: number; scripts: WasmThreadScripts }> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a whole number of at least 1, not ${threads}`);
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmPaths);
  wasm.setThreadsCount(threads);
  // tfjs reports no thread support in Node (tensorflow/tfjs#3830); these shims provide it.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const { result: ok, scripts } = await withScriptsAsFiles(scriptRoot, threads, () => tf.setBackend('wasm'));
  if (!ok) throw new Error('the threaded wasm backend failed to initialise');
  await tf.ready();
  const module = (tf.backend() as unknown as { wasm: ThreadedModule }).wasm;
  active = { module, scripts };
  return { threads: wasm.getThreadsCount(), scripts };
}

/** XNNPACK's threads now, or null when the threaded build is not running. */
export function wasmThreads(): number | null {
  return active ? active.module.tfjs.getThreadsCount() : null;
}

/** Pthread workers the build started and has not given a pool yet (null: not known). */
export function idleWasmWorkers(): number | null {
  return active?.module.PThread?.unusedWorkers?.length ?? null;
}

/**
 * Gives XNNPACK a new pool of `threads` threads, between operations (JavaScript runs one thing
 * at a time, so no kernel runs while this does), and returns the pool's size now. tfjs cannot
 * free a pool: the old one's threads stay parked, idle, so a larger pool takes `threads - 1`
 * of the idle workers. Without enough of them (or without a way to count them) it keeps the
 * pool it has: waiting for a worker that cannot start would hang the process.
 */
export function setWasmThreads(threads: number): number {
  if (!active) throw new Error('the threaded wasm backend is not running in this process');
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a whole number of at least 1, not ${threads}`);
  const current = active.module.tfjs.getThreadsCount();
  if (current === threads) return current;
  const idle = idleWasmWorkers();
  if (threads > 1 && (idle === null || idle < threads - 1)) return current;
  active.module.tfjs.initWithThreadsCount(threads);
  return active.module.tfjs.getThreadsCount();
}
