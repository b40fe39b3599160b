import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectServing, rawExchange, startLiveBridge, type LiveBridge } from './liveBridge';
import { fuzzCases, type FuzzCase } from './malformedInput';

/**
 * Thousands of malformed requests and frames against a bridge in its own process; after
 * each batch it must still serve its page and answer a request over a new WebSocket.
 * The inputs come from one seed: a failure names its batch's cases and reproduces with it.
 */
const SEED = Number(process.env.BRIDGE_FUZZ_SEED ?? 20240611); // another seed explores other inputs
const CASES = 5000;
const BATCH = 150;
/** Connections at once: frames stay below the bridge's limit of open WebSockets. */
const PARALLEL = { http: 24, frames: 12 };
/** Every exchange ends well before this: the bridge answers or closes, and the client half-closes. */
const WAIT_MS = 15_000;

let bridge: LiveBridge;
beforeAll(async () => {
  bridge = await startLiveBridge();
});
afterAll(async () => {
  await bridge.close();
});

/** Runs the cases `parallel` at a time; resolves with the labels of those the bridge left hanging. */
async function throwAll(cases: FuzzCase[], parallel: number): Promise<string[]> {
  const hanging: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const started = Date.now();
      await rawExchange(bridge.port, c.bytes, { waitMs: WAIT_MS });
      if (Date.now() - started >= WAIT_MS) hanging.push(c.label);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return hanging;
}

async function survives(kind: 'http' | 'frames', cases: FuzzCase[]) {
  for (let start = 0; start < cases.length; start += BATCH) {
    const batch = cases.slice(start, start + BATCH);
    const hanging = await throwAll(batch, PARALLEL[kind]);
    try {
      await expectServing(bridge);
    } catch (err) {
      throw new Error(`After ${kind} cases ${start}-${start + batch.length - 1} (seed ${SEED}): ${(err as Error).message}\nThe batch:\n${batch.map((c) => c.label).join('\n')}`);
    }
    expect(hanging, 'cases the bridge neither answered nor closed').toEqual([]);
  }
}

describe(`the bridge survives ${CASES} malformed requests and frames (seed ${SEED})`, () => {
  let cases: ReturnType<typeof fuzzCases>;
  beforeAll(() => {
    cases = fuzzCases(bridge, SEED, CASES);
  });

  it('HTTP requests: bad request lines and targets, bad escapes, huge headers, bad cookies, truncated, bad upgrades', async () => {
    await survives('http', cases.http);
  });

  it('WebSocket frames after a valid handshake: bad UTF-8, reserved opcodes, unmasked, huge lengths, fragments, not JSON, not a frame, unknown names', async () => {
    await survives('frames', cases.frames);
  });

  it('logged what it refused in single lines, without a stack trace, and stayed within its memory', async () => {
    expect(bridge.log()).not.toMatch(/^\s+at /m);
    expect(bridge.log().split('\n').every((line) => line === '' || line.startsWith('Browser bridge: '))).toBe(true);
    expect(await bridge.peakRss()).toBeLessThan(512 * 1024 * 1024);
  });
});
