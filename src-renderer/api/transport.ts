import type { EventName, RequestName } from '@shared/api/channels';
import type { Reply } from '@shared/api/contract';
import { BRIDGE_MAX_FRAME_BYTES, mebibytes } from '@shared/api/limits';

/** The two ways a renderer reaches main: Electron's preload, or the browser bridge's WebSocket. */
export interface Transport {
  request(name: RequestName, params: unknown): Promise<Reply<RequestName>>;
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void;
}

interface PreloadApi {
  request(name: string, params: unknown): Promise<Reply<RequestName>>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
}

export function preloadTransport(api: PreloadApi): Transport {
  return {
    request: (name, params) => api.request(name, params),
    onEvent: (listener) => api.onEvent((name, payload) => listener(name as EventName, payload)),
  };
}

/**
 * Browser mode: one WebSocket to the bridge, reconnecting after a drop (the server
 * restarted, the laptop slept). Requests made while disconnected wait for the socket.
 */
export function webSocketTransport(url: string, WebSocketImpl: typeof WebSocket = WebSocket, maxFrameBytes = BRIDGE_MAX_FRAME_BYTES): Transport {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, (reply: Reply<RequestName>) => void>();
  const listeners = new Set<(name: EventName, payload: unknown) => void>();

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onmessage = (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === 'reply') {
          pending.get(frame.id)?.(frame.reply);
          pending.delete(frame.id);
        } else if (frame.type === 'event') for (const l of listeners) l(frame.name, frame.payload);
      };
      ws.onclose = () => {
        socket = null;
        opened = null;
        for (const [id, settle] of pending) {
          settle({ ok: false, error: { code: 'internal', message: 'The connection to the workbench was lost. Is it still running?' } });
          pending.delete(id);
        }
        reject(new Error('The connection to the workbench was closed.'));
        setTimeout(() => void connect().catch(() => undefined), 1000);
      };
    });
    return opened;
  }
  void connect().catch(() => undefined);

  return {
    async request(name, params) {
      const id = nextId++;
      const frame = JSON.stringify({ type: 'request', id, name, params });
      // The bridge would drop the connection on an over-size frame; say why instead.
      const bytes = frame.length * 3 <= maxFrameBytes ? frame.length : new TextEncoder().encode(frame).byteLength;
      if (bytes > maxFrameBytes) {
        const message = `This request is ${mebibytes(bytes)} MiB, more than the ${mebibytes(maxFrameBytes)} MiB the browser connection carries; shorten the text you entered.`;
        return { ok: false, error: { code: 'invalid_params', message } };
      }
      const ws = socket ?? (await connect());
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(frame);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
