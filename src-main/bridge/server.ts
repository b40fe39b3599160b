import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BridgeClientFrame, type BridgeServerFrame } from '@shared/api/contract';
import type { Workbench } from '../app/workbench';
import { allowedHost, allowedOrigin, hasToken, newToken, TOKEN_COOKIE } from './auth';
import { CONTENT_SECURITY_POLICY } from '@shared/security/csp';
import { BRIDGE_MAX_FRAME_BYTES } from '@shared/api/limits';
import { handleUpload, uploadIdOf } from './uploadRoute';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface BridgeOptions {
  workbench: Workbench;
  /** The built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  token?: string;
}

export interface Bridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Browser mode: the built renderer over HTTP and the contract over a WebSocket, on
 * 127.0.0.1 only, behind a random per-launch token. The first visit carries the token in
 * the URL; it is then kept in an HttpOnly cookie so the page's own assets load.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? newToken();
  let port = 0;

  async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)).replace(/^([/\\])+/, '');
    const file = join(options.staticDir, rel);
    if (!file.startsWith(options.staticDir + sep) && file !== options.staticDir) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      const headers: Record<string, string> = {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      };
      if (url.searchParams.has('token')) {
        headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      }
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    }
  }

  const server = createServer((req, res) => {
    if (!allowedHost(req.headers.host, port)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (!hasToken(req, token)) {
      res
        .writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('This workbench needs its access token: open the full URL printed by "npm start" (it ends in ?token=...).');
      return;
    }
    const uploadId = uploadIdOf(req.method, new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (uploadId) {
      // Uploads write into the data directory: only the page's own origin may send them.
      if (!options.workbench.uploads || !allowedOrigin(req.headers.origin, port)) {
        res.writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Forbidden');
        return;
      }
      void handleUpload(req, res, options.workbench.uploads, uploadId);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    void serveFile(req, res);
  });

  // Large enough for a run bundle uploaded as a request (the renderer refuses bigger ones with a message first).
  const wss = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws' || !allowedHost(req.headers.host, port) || !hasToken(req, token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!allowedOrigin(req.headers.origin, port)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const send = (frame: BridgeServerFrame) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(frame));
    const unsubscribe = options.workbench.events.subscribe((name, payload) => send({ type: 'event', name, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', async (data) => {
      let frame: BridgeClientFrame;
      try {
        frame = BridgeClientFrame.parse(JSON.parse(String(data)));
      } catch {
        ws.close(1003, 'Malformed frame');
        return;
      }
      send({ type: 'reply', id: frame.id, reply: await options.workbench.dispatch(frame.name, frame.params) });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
