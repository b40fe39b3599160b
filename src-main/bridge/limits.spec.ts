import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { BRIDGE_LIMITS } from './limits';
import {
  clientFrame,
  closeCodeOf,
  expectServing,
  openRawWebSocket,
  openWebSocket,
  rawExchange,
  replyTo,
  startLiveBridge,
  statusOf,
  upgradeRequest,
  type LiveBridge,
  type RawWebSocket,
} from './liveBridge';

/** What the bridge holds at most (BRIDGE_LIMITS), against a bridge in its own process. */
let bridge: LiveBridge;
beforeAll(async () => {
  bridge = await startLiveBridge();
});
afterAll(async () => {
  await bridge.close();
});

const MiB = 1024 * 1024;

async function request(ws: WebSocket, id: number, name: string, params: unknown) {
  const reply = replyTo(ws, id);
  ws.send(JSON.stringify({ type: 'request', id, name, params }));
  return (await reply).reply;
}

/** A request frame's header and the start of its payload, never finished: the bridge holds it while it waits for the rest. */
async function startFrame(raw: RawWebSocket, announced: number, send: number): Promise<void> {
  await raw.write(Buffer.concat([clientFrame({ opcode: 1, announced }).subarray(0, 10), Buffer.alloc(4)]));
  for (let sent = 0; sent < send; sent += MiB) await raw.write(Buffer.alloc(Math.min(MiB, send - sent), 'x'));
}

const closeAll = async (sockets: RawWebSocket[]) => {
  for (const s of sockets) s.socket.destroy();
  await Promise.all(sockets.map((s) => s.closed));
};

describe('the bridge', () => {
  it('answers a request of the largest frame it takes', async () => {
    const ws = await openWebSocket(bridge);
    const frame = (pad: string) => JSON.stringify({ type: 'request', id: 1, name: 'datasets.list', params: { pad } });
    const pad = 'x'.repeat(BRIDGE_LIMITS.maxFrameBytes - frame('').length);
    expect(frame(pad).length).toBe(BRIDGE_LIMITS.maxFrameBytes);
    const reply = replyTo(ws, 1);
    ws.send(frame(pad));
    // Answered (the contract refuses the unknown field), not dropped.
    expect((await reply).reply).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    ws.terminate();
  });

  it('refuses a frame one byte over its limit with 1009, on the header', async () => {
    const answer = await rawExchange(bridge.port, Buffer.concat([Buffer.from(upgradeRequest(bridge.port, bridge.token)), clientFrame({ opcode: 1, announced: BRIDGE_LIMITS.maxFrameBytes + 1 })]));
    expect(closeCodeOf(answer)).toBe(1009);
    await expectServing(bridge);
  });

  it('closes with 1013 a connection whose request would go over the bytes all requests may hold, and frees them when connections close', async () => {
    // Unfinished frames of nearly the largest size, one per connection, until the budget is spent.
    const part = BRIDGE_LIMITS.maxFrameBytes - 64 * 1024;
    const fitting = Math.floor(BRIDGE_LIMITS.receiveBudgetBytes / (part + 14));
    expect(fitting + 1).toBeLessThanOrEqual(BRIDGE_LIMITS.maxWebSockets);
    const sockets: RawWebSocket[] = [];
    for (let i = 0; i < fitting; i++) {
      sockets.push(await openRawWebSocket(bridge));
      await startFrame(sockets[i], BRIDGE_LIMITS.maxFrameBytes, part);
    }
    const last = await openRawWebSocket(bridge);
    sockets.push(last);
    // Once refused it is not read any more, so its writes never finish: wait for the refusal instead.
    const writing = startFrame(last, BRIDGE_LIMITS.maxFrameBytes, part);
    await last.ended;
    expect(closeCodeOf(last.received())).toBe(1013);
    await closeAll(sockets);
    await writing;
    // Had the budget kept what the closed connections held, this request would not fit now.
    const ws = await openWebSocket(bridge);
    expect(await request(ws, 1, 'datasets.list', {})).toEqual({ ok: true, result: [] });
    ws.terminate();
  });

  it(`keeps at most ${BRIDGE_LIMITS.maxWebSockets} WebSockets open, answering 600 attempts at once with 503 beyond`, async () => {
    await new Promise((r) => setTimeout(r, 200)); // the earlier tests' sockets are closed on the bridge's side too
    const attempts = await Promise.all(Array.from({ length: 600 }, () => openRawWebSocket(bridge).then((s) => s, (err: Error) => err.message)));
    const open = attempts.filter((a): a is RawWebSocket => typeof a !== 'string');
    const refused = attempts.filter((a) => typeof a === 'string');
    expect(open).toHaveLength(BRIDGE_LIMITS.maxWebSockets);
    expect(new Set(refused)).toEqual(new Set(['the handshake was refused: HTTP/1.1 503 Service Unavailable']));
    await closeAll(open);
    await new Promise((r) => setTimeout(r, 200));
    await expectServing(bridge);
  });

  it(`answers 20,000 pipelined requests on one WebSocket, running at most ${BRIDGE_LIMITS.maxRequestsInFlight} at once`, async () => {
    const ws = await openWebSocket(bridge);
    const replies = new Map<number, { ok: boolean; result?: unknown }>();
    const all = new Promise<void>((done) =>
      ws.on('message', (d) => {
        const frame = JSON.parse(String(d)) as { id: number; reply: { ok: boolean; result?: unknown } };
        replies.set(frame.id, frame.reply);
        if (replies.size === 20_000) done();
      }),
    );
    for (let id = 1; id <= 20_000; id++) ws.send(JSON.stringify({ type: 'request', id, name: id % 10 ? 'datasets.list' : 'runs.get', params: id % 10 ? {} : { id } }));
    await all;
    ws.terminate();
    expect([...replies.values()].every((r) => r.ok)).toBe(true);
    const mostAtOnce = Math.max(...[...replies.values()].map((r) => (r.result as { mostAtOnce?: number }).mostAtOnce ?? 0));
    expect(mostAtOnce).toBeLessThanOrEqual(BRIDGE_LIMITS.maxRequestsInFlight);
    expect(mostAtOnce).toBeGreaterThan(1);
  });

  it('stops reading requests from a client that does not read the replies, holding little for it', async () => {
    const before = await bridge.peakRss();
    const raw = await openRawWebSocket(bridge);
    raw.socket.pause(); // reads none of the replies
    const frame = clientFrame({ opcode: 1, payload: JSON.stringify({ type: 'request', id: 1, name: 'datasets.list', params: {} }) });
    const piece = Buffer.concat(Array.from({ length: Math.floor(MiB / frame.length) }, () => frame));
    let written = 0;
    const stalled = (ms: number) => new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), ms));
    while (written < 200 * MiB && (await Promise.race([raw.write(piece).then(() => 'written' as const), stalled(2000)])) === 'written') written += piece.length;
    // It stopped reading once replies waited (plus what the kernel buffers), not after 200 MiB of requests.
    expect(written).toBeLessThan(100 * MiB);
    expect((await bridge.peakRss()) - before).toBeLessThan(BRIDGE_LIMITS.maxUnsentBytes + 32 * MiB);
    raw.socket.destroy();
    await raw.closed;
    await expectServing(bridge);
  });

  it('answers 5,000 pipelined HTTP requests on one connection', async () => {
    // 5,000 answers are about 3 MB, far past the socket's buffers, so the bridge must pause reading
    // and resume. The last request closes the connection once every answer is out; the wait only
    // bounds a hang. (With 20,000 requests, one loaded CI run ended with 19,972 answers.)
    const one = `GET /?token=${bridge.token} HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n\r\n`;
    const last = `GET /?token=${bridge.token} HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\nConnection: close\r\n\r\n`;
    const answer = await rawExchange(bridge.port, one.repeat(4_999) + last, { waitMs: 120_000, halfClose: false });
    expect(statusOf(answer)).toBe(200);
    const statuses = new Set(answer.match(/HTTP\/1\.1 \d{3} [^\r]*/g));
    expect(answer.split('HTTP/1.1 200 OK').length - 1, `statuses ${[...statuses].join(', ')}; the answer ends ${JSON.stringify(answer.slice(-120))}`).toBe(5_000);
  }, 130_000);
});
