import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { RequestName } from '@shared/api/channels';
import { BridgeClientFrame, type BridgeServerFrame, type Reply } from '@shared/api/contract';
import { toErrorShape } from '../app/dispatch';
import type { Workbench } from '../app/workbench';
import { BRIDGE_LIMITS } from './limits';
import type { ReceiveBudget } from './receiveBudget';

export interface ConnectionContext {
  workbench: Pick<Workbench, 'dispatch' | 'events'>;
  /** Shared by every WebSocket of the bridge. */
  budget: ReceiveBudget;
  log: (line: string) => void;
}

/** Close codes of RFC 6455 section 7.4.1 (and 1013, registered with IANA). */
const UNSUPPORTED_DATA = 1003;
const TRY_AGAIN_LATER = 1013;

interface Job {
  frame: BridgeClientFrame;
  /** Its size, held in the budget until it is answered. */
  bytes: number;
}

const asBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

function parseFrame(data: Buffer): BridgeClientFrame | null {
  try {
    return BridgeClientFrame.parse(JSON.parse(data.toString('utf8')));
  } catch {
    return null;
  }
}

/**
 * One page's WebSocket: requests in, replies and events out. `ws` has already checked
 * each frame (UTF-8, masking, opcodes, size: it closes with the matching code and emits
 * `error`); here the requests are parsed, run at most `maxRequestsInFlight` at a time and
 * answered, and the socket stops being read while too many wait or while the client does
 * not read its replies.
 */
export function serveConnection(ws: WebSocket, socket: Duplex, context: ConnectionContext): void {
  const { workbench, budget, log } = context;
  let receiving = 0; // bytes of the request being received, held in the budget
  let running = 0;
  const waiting: Job[] = [];

  const flowControl = () => {
    if (ws.readyState !== ws.OPEN) return;
    const busy = running + waiting.length >= BRIDGE_LIMITS.maxRequestsInFlight || ws.bufferedAmount > BRIDGE_LIMITS.maxUnsentBytes;
    if (busy && !ws.isPaused) ws.pause();
    else if (!busy && ws.isPaused) ws.resume();
  };

  const serialize = (frame: BridgeServerFrame): string | null => {
    try {
      return JSON.stringify(frame);
    } catch (err) {
      log(`could not send a ${frame.type} (${(err as Error).message})`);
      return frame.type === 'reply' ? JSON.stringify({ ...frame, reply: { ok: false, error: toErrorShape(err) } }) : null;
    }
  };

  /** Resolves once the frame is handed to the socket (or cannot be); never rejects. */
  const send = (frame: BridgeServerFrame) =>
    new Promise<void>((done) => {
      const text = ws.readyState === ws.OPEN ? serialize(frame) : null;
      if (text === null) return done();
      try {
        ws.send(text, () => done());
      } catch (err) {
        log(`could not send a ${frame.type} (${(err as Error).message})`);
        done();
      }
    });

  const answer = async (frame: BridgeClientFrame) => {
    let reply: Reply<RequestName>;
    try {
      reply = await workbench.dispatch(frame.name, frame.params);
    } catch (err) {
      // dispatch answers every failure of a handler itself; this is what even that could not.
      log(`request ${frame.name.slice(0, 60)} failed (${(err as Error).message})`);
      reply = { ok: false, error: toErrorShape(err) };
    }
    await send({ type: 'reply', id: frame.id, reply });
  };

  const pump = () => {
    while (running < BRIDGE_LIMITS.maxRequestsInFlight && waiting.length > 0) {
      const job = waiting.shift()!;
      running++;
      void answer(job.frame).then(() => {
        running--;
        budget.release(job.bytes);
        pump();
      });
    }
    flowControl();
  };

  /**
   * Closes with `code` and parses nothing more: the close frame goes out, then the end of
   * the connection, without waiting for the client's close frame; what the client still
   * sends is read and dropped (as ws does when it refuses a frame), so it is neither
   * buffered nor left unread to hold the connection open.
   */
  const refuse = (code: number, reason: string) => {
    socket.removeAllListeners('data');
    socket.on('data', () => undefined);
    ws.close(code, reason);
    socket.end();
    socket.resume();
  };

  // Counted before ws buffers the chunk, so a request that does not fit is refused early.
  socket.prependListener('data', (chunk: Buffer) => {
    if (budget.take(chunk.length)) {
      receiving += chunk.length;
      return flowControl();
    }
    log('closed a WebSocket with 1013: other requests already hold all the memory the bridge gives to requests');
    refuse(TRY_AGAIN_LATER, 'The workbench is receiving other large requests; try again shortly.');
  });
  socket.on('drain', flowControl);

  ws.on('message', (data, isBinary) => {
    budget.release(receiving);
    receiving = 0;
    if (ws.readyState !== ws.OPEN) return;
    const bytes = asBuffer(data);
    const frame = isBinary ? null : parseFrame(bytes);
    if (!frame) return refuse(UNSUPPORTED_DATA, isBinary ? 'Send requests as JSON text frames' : 'Malformed frame');
    budget.hold(bytes.length);
    waiting.push({ frame, bytes: bytes.length });
    pump();
  });

  // A frame ws refused (invalid UTF-8, a reserved opcode, an unmasked frame, too large):
  // ws has already closed the connection with the matching code.
  ws.on('error', (err) => log(`closed a WebSocket: ${err.message}`));

  const unsubscribe = workbench.events.subscribe((name, payload) => void send({ type: 'event', name, payload }));
  ws.on('close', () => {
    unsubscribe();
    budget.release(receiving);
    receiving = 0;
  });
}
