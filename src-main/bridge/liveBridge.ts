/**
 * Test helpers for the specs that attack the bridge: a bridge in its own process
 * (liveBridgeProcess.ts), raw TCP exchanges, hand-built WebSocket frames, and the check
 * that the bridge still serves a page and answers a request over a WebSocket.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import WebSocket from 'ws';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface LiveBridge {
  port: number;
  token: string;
  /** Why the process ended (null while it runs), with the end of what it printed. */
  exit(): string | null;
  /** What the bridge printed on stderr. */
  log(): string;
  peakRss(): Promise<number>;
  close(): Promise<void>;
}

export async function startLiveBridge(): Promise<LiveBridge> {
  const child: ChildProcess = fork(resolve(import.meta.dirname, 'liveBridgeProcess.ts'), [], {
    execArgv: ['--import', 'tsx'],
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  let exited: string | null = null;
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('exit', (code, signal) => (exited = `the bridge process exited (code ${code}, signal ${signal}):\n${stderr.slice(-2000)}`));
  const { port, token } = await new Promise<{ port: number; token: string }>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) done(JSON.parse(out.split('\n')[0]));
    });
    child.once('exit', () => fail(new Error(exited ?? 'the bridge process exited')));
  });
  return {
    port,
    token,
    exit: () => exited,
    log: () => stderr,
    peakRss: () =>
      new Promise((done) => {
        child.once('message', (m) => done((m as { peakRss: number }).peakRss));
        child.send('peak-rss');
      }),
    close: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Writes `data` on a new TCP connection, half-closes it and collects what comes back until
 * the bridge closes the connection (or `waitMs` passes). Resolves, never rejects: a reset
 * connection is an answer too.
 */
export function rawExchange(port: number, data: string | Buffer, { waitMs = 3000, halfClose = true } = {}): Promise<string> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      done(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(data, () => {
      if (halfClose) socket.end();
    });
  });
}

export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A valid WebSocket handshake request to the bridge (with its token unless `token` is null). */
export function upgradeRequest(port: number, token: string | null, target = '/ws'): string {
  const query = token === null ? '' : `${target.includes('?') ? '&' : '?'}token=${token}`;
  return (
    `GET ${target}${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** The RSV1-3 bits, 0-7. */
  rsv?: number;
  /** Client frames must be masked; false sends an unmasked one. */
  masked?: boolean;
  /** The length the header announces, when it should differ from the payload's. */
  announced?: bigint | number;
}

/** A WebSocket frame as a client writes it (RFC 6455 section 5.2), or a malformed one. */
export function clientFrame({ opcode, payload = '', fin = true, rsv = 0, masked = true, announced }: FrameSpec): Buffer {
  const body = Buffer.from(payload);
  const length = BigInt(announced ?? body.length);
  const first = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126n) header = Buffer.from([first, maskBit | Number(length)]);
  else if (length < 65536n) {
    header = Buffer.from([first, maskBit | 126, 0, 0]);
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([header, body]);
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const maskedBody = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i++) maskedBody[i] = body[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, maskedBody]);
}

export const textFrame = (text: string | Buffer) => clientFrame({ opcode: 1, payload: text });

/** An accepted WebSocket to the bridge, as the page opens it. */
export function openWebSocket(bridge: Pick<LiveBridge, 'port' | 'token'>): Promise<WebSocket> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, { origin: `http://127.0.0.1:${bridge.port}` });
    ws.once('open', () => done(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`the WebSocket was refused with ${res.statusCode}`)));
  });
}

/** The next reply frame with this id on `ws`. */
export function replyTo(ws: WebSocket, id: number): Promise<{ type: string; id: number; reply: { ok: boolean; result?: unknown; error?: unknown } }> {
  return new Promise((done, fail) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'reply' && frame.id === id) {
        ws.off('message', onMessage);
        done(frame);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => fail(new Error(`the WebSocket closed (${code}) before reply ${id}`)));
  });
}

async function withTimeout<T>(what: string, bridge: LiveBridge, work: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer within ${ms} ms. ${bridge.exit() ?? 'The bridge process is still running.'}`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Throws, saying why, unless the bridge still serves its page over HTTP and answers a
 * request over a new WebSocket.
 */
export async function expectServing(bridge: LiveBridge): Promise<void> {
  if (bridge.exit()) throw new Error(bridge.exit()!);
  const page = await withTimeout('GET /', bridge, rawExchange(bridge.port, `GET /?token=${bridge.token} HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\nConnection: close\r\n\r\n`, { halfClose: false }));
  if (!page.startsWith('HTTP/1.1 200')) throw new Error(`GET / answered ${JSON.stringify(page.slice(0, 80))}. ${bridge.exit() ?? ''}`);
  const ws = await withTimeout('WebSocket handshake', bridge, openWebSocket(bridge));
  try {
    const reply = replyTo(ws, 1);
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'datasets.list', params: {} }));
    const frame = await withTimeout('datasets.list over the WebSocket', bridge, reply);
    if (!frame.reply.ok) throw new Error(`datasets.list failed: ${JSON.stringify(frame.reply)}`);
  } finally {
    ws.terminate();
  }
}

/** The frames the bridge sent after its handshake in a raw exchange (server frames are never masked). */
export function serverFrames(response: string): { opcode: number; payload: Buffer }[] {
  const start = response.indexOf('\r\n\r\n');
  if (!response.startsWith('HTTP/1.1 101') || start < 0) return [];
  const bytes = Buffer.from(response.slice(start + 4), 'latin1');
  const frames: { opcode: number; payload: Buffer }[] = [];
  for (let at = 0; at + 2 <= bytes.length; ) {
    let length = bytes[at + 1] & 0x7f;
    let offset = at + 2;
    if (length === 126) [length, offset] = [bytes.readUInt16BE(at + 2), at + 4];
    else if (length === 127) [length, offset] = [Number(bytes.readBigUInt64BE(at + 2)), at + 10];
    frames.push({ opcode: bytes[at] & 0x0f, payload: bytes.subarray(offset, offset + length) });
    at = offset + length;
  }
  return frames;
}

/** The status code of the close frame the bridge sent, or null if it sent none. */
export function closeCodeOf(response: string): number | null {
  const close = serverFrames(response).find((f) => f.opcode === 8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
}

/** The HTTP status of a raw exchange's answer, or null when the bridge answered nothing. */
export function statusOf(response: string): number | null {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return match ? Number(match[1]) : null;
}

export interface RawWebSocket {
  socket: Socket;
  /** Everything the bridge sent, handshake included. */
  received(): string;
  /** Resolves when the connection has closed. */
  closed: Promise<void>;
  /** Resolves when the bridge has ended its side of the connection (its last bytes are received). */
  ended: Promise<void>;
  /** Writes, waiting for the socket to drain; resolves early if the connection closes. */
  write(bytes: Buffer): Promise<void>;
}

/** A WebSocket opened by hand, to write whatever frames a spec wants after a valid handshake. */
export function openRawWebSocket(bridge: Pick<LiveBridge, 'port' | 'token'>): Promise<RawWebSocket> {
  return new Promise((done, fail) => {
    const socket = connect(bridge.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let isClosed = false;
    const closed = new Promise<void>((ok) => socket.once('close', () => ok()));
    const ended = new Promise<void>((ok) => {
      socket.once('end', () => ok());
      socket.once('close', () => ok());
    });
    void closed.then(() => (isClosed = true));
    socket.on('error', () => socket.destroy());
    const write = (bytes: Buffer) =>
      new Promise<void>((ok) => {
        if (isClosed || socket.write(bytes)) return ok();
        const settle = () => {
          socket.off('drain', settle).off('close', settle);
          ok();
        };
        socket.on('drain', settle).on('close', settle);
      });
    const received = () => Buffer.concat(chunks).toString('latin1');
    let answered = false;
    socket.on('data', (d) => {
      chunks.push(d);
      if (answered || !received().includes('\r\n\r\n')) return;
      answered = true;
      if (received().startsWith('HTTP/1.1 101')) done({ socket, received, closed, ended, write });
      else fail(new Error(`the handshake was refused: ${received().split('\r\n')[0]}`));
    });
    void closed.then(() => fail(new Error('the connection closed during the handshake')));
    socket.write(upgradeRequest(bridge.port, bridge.token));
  });
}
