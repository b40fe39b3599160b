import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientFrame,
  closeCodeOf,
  expectServing,
  openWebSocket,
  rawExchange,
  replyTo,
  startLiveBridge,
  statusOf,
  textFrame,
  upgradeRequest,
  type LiveBridge,
} from './liveBridge';

/**
 * Each request that once stopped the served workbench (and any training under way with
 * it), one by one, against a bridge in its own process: it must be refused cleanly, and
 * the bridge must still serve its page and answer over a new WebSocket.
 */
let bridge: LiveBridge;
beforeEach(async () => {
  bridge = await startLiveBridge();
});
afterEach(async () => {
  await bridge.close();
});

const host = () => `Host: 127.0.0.1:${bridge.port}\r\n`;

/** What the bridge logged carries no stack trace (one line per fault, in its own words). */
const expectNoStack = () => expect(bridge.log()).not.toMatch(/^\s+at /m);

describe('the bridge refuses, without the token', () => {
  it('a request for // (once thrown by the token check)', async () => {
    const answer = await rawExchange(bridge.port, `GET // HTTP/1.1\r\n${host()}\r\n`);
    expect(statusOf(answer)).toBe(401);
    await expectServing(bridge);
  });

  it('an absolute request target with an invalid port', async () => {
    const answer = await rawExchange(bridge.port, `GET http://127.0.0.1:99999/ HTTP/1.1\r\n${host()}\r\n`);
    expect(statusOf(answer)).toBe(400);
    await expectServing(bridge);
    expectNoStack();
  });

  it('an upgrade request to //', async () => {
    const answer = await rawExchange(bridge.port, upgradeRequest(bridge.port, null, '//'));
    expect(statusOf(answer)).toBe(401);
    await expectServing(bridge);
  });
});

describe('the bridge refuses, with the token', () => {
  it('a path with a malformed percent escape', async () => {
    const answer = await rawExchange(bridge.port, `GET /%E0%A4%A?token=${bridge.token} HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`, { halfClose: false });
    expect(statusOf(answer)).toBe(400);
    await expectServing(bridge);
  });

  it('a text frame that is not valid UTF-8 (closing with 1007)', async () => {
    const answer = await rawExchange(bridge.port, Buffer.concat([Buffer.from(upgradeRequest(bridge.port, bridge.token)), textFrame(Buffer.from([0x7b, 0xff, 0xfe, 0xc3]))]));
    expect(closeCodeOf(answer)).toBe(1007);
    await expectServing(bridge);
    expectNoStack();
  });

  it('a frame header announcing 2^40 bytes (closing with 1009)', async () => {
    const answer = await rawExchange(bridge.port, Buffer.concat([Buffer.from(upgradeRequest(bridge.port, bridge.token)), clientFrame({ opcode: 1, announced: 2n ** 40n })]));
    expect(closeCodeOf(answer)).toBe(1009);
    await expectServing(bridge);
    expectNoStack();
  });

  it('a 300 MB request frame, with 1009 before its payload is held in memory', async () => {
    const before = await bridge.peakRss();
    const answer = await sendLargeRequest(bridge, 300_000_000);
    expect(closeCodeOf(answer)).toBe(1009);
    await expectServing(bridge);
    // The frame was refused on its header: the bridge never held the payload.
    expect(await bridge.peakRss()).toBeLessThan(before + 100 * 1024 * 1024);
  });
});

describe('the bridge answers', () => {
  it('a request whose reply cannot be serialized, with an error reply', async () => {
    const ws = await openWebSocket(bridge);
    const reply = replyTo(ws, 3);
    ws.send(JSON.stringify({ type: 'request', id: 3, name: 'app.info', params: {} }));
    expect((await reply).reply).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/BigInt/) } });
    ws.terminate();
    await expectServing(bridge);
  });
});

/**
 * Writes, after a handshake, one request frame of `bytes` bytes (a bundle upload) in
 * 1 MiB pieces, stopping when the bridge closes the connection; resolves with what the
 * bridge answered. The mask is zero so the pieces need no copying.
 */
function sendLargeRequest(target: LiveBridge, bytes: number): Promise<string> {
  const head = Buffer.from('{"type":"request","id":1,"name":"runs.importBundle","params":{"content":"');
  const tail = Buffer.from('","asCopy":false}}');
  const piece = Buffer.alloc(1 << 20, 'x');
  return new Promise((done) => {
    const socket = connect(target.port, '127.0.0.1');
    const received: Buffer[] = [];
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      socket.destroy();
      done(Buffer.concat(received).toString('latin1'));
    };
    socket.on('data', (d) => received.push(d));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(upgradeRequest(target.port, target.token));
    const header = clientFrame({ opcode: 1, announced: bytes }).subarray(0, 10);
    const write = async () => {
      const send = (b: Buffer) => new Promise<void>((ok) => {
        if (closed || socket.write(b)) return ok();
        socket.once('drain', ok);
        socket.once('close', ok);
      });
      await send(Buffer.concat([header, Buffer.alloc(4), head]));
      let left = bytes - head.length - tail.length;
      while (left > 0 && !closed) {
        const n = Math.min(left, piece.length);
        await send(piece.subarray(0, n));
        left -= n;
      }
      if (!closed) await send(tail);
      // The answer to a whole frame: wait for it, then give up.
      setTimeout(finish, 20_000);
    };
    void write();
  });
}
