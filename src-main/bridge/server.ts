import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Workbench } from '../app/workbench';
import { allowedHost, allowedOrigin, hasToken, newToken, TOKEN_COOKIE } from './auth';
import { serveConnection } from './connection';
import { CONTENT_SECURITY_POLICY } from '@shared/security/csp';
import { handleUpload, uploadIdOf } from './uploadRoute';
import { BRIDGE_LIMITS } from './limits';
import { ReceiveBudget } from './receiveBudget';
import { parseRequestTarget, type RequestTarget } from './requestTarget';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const TOKEN_NEEDED = 'This workbench needs its access token: open the full URL printed by "npm start" (it ends in ?token=...).';

export interface BridgeOptions {
  workbench: Workbench;
  /** The built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  token?: string;
  /** Where the bridge reports what it refused or could not do, one line each (default: stderr). */
  log?: (line: string) => void;
}

export interface Bridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** One printable line of at most 300 characters: what a client sent never adds lines or terminal escapes to the log. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 300);

/** A request's target without its query, which may hold the token. */
const withoutQuery = (url: string | undefined) => (url ?? '').split('?')[0];

const errorText = (err: unknown) => (err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err));

/** The status the HTTP parser's refusals deserve (Node's own choice when no clientError handler is set). */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/** Answers on a raw socket (a refused upgrade, a request the parser refused) and closes it. */
function refuseOnSocket(socket: Duplex, status: string, text = ''): void {
  // Not in the middle of an earlier pipelined response (the check Node itself makes).
  const answering = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
  if (!socket.writable || answering) return void socket.destroy();
  const body = Buffer.from(text);
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}

/**
 * Browser mode: the built renderer over HTTP and the contract over a WebSocket, on
 * 127.0.0.1 only, behind a random per-launch token. The first visit carries the token in
 * the URL; it is then kept in an HttpOnly cookie so the page's own assets load.
 *
 * No request can stop it: every part of a request is parsed where a failure is a refusal
 * (400, 401, a WebSocket close code), every socket has an error handler, and what still
 * goes wrong is logged in one line by a last-resort handler while the bridge keeps serving.
 * What it holds is bounded (see BRIDGE_LIMITS).
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? newToken();
  const log = (line: string) => (options.log ?? ((l: string) => console.error(l)))(`Browser bridge: ${oneLine(line)}`);
  let port = 0;

  async function serveFile(target: RequestTarget, res: ServerResponse): Promise<void> {
    const rel = normalize(target.path === '/' ? '/index.html' : target.path).replace(/^([/\\])+/, '');
    const file = join(options.staticDir, rel);
    if (!file.startsWith(options.staticDir + sep) && file !== options.staticDir) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (target.query.has('token')) headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers).end(body);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req.headers.host, port)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    const target = parseRequestTarget(req.url);
    if (!target) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad request target');
      return;
    }
    if (!hasToken(req, target, token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' }).end(TOKEN_NEEDED);
      return;
    }
    const uploadId = uploadIdOf(req.method, target.path);
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
    await serveFile(target, res);
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      log(`could not answer ${req.method} ${withoutQuery(req.url)} (${errorText(err)})`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('The workbench could not answer this request.');
      else res.destroy();
    });
  });

  // Requests the HTTP parser refused (malformed, headers too large, too slow): answered
  // here, since with a listener Node leaves the socket to us.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') log(`refused a malformed request (${errorText(err)})`);
    refuseOnSocket(socket, clientErrorStatus(err.code));
  });

  const budget = new ReceiveBudget(BRIDGE_LIMITS.receiveBudgetBytes);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: BRIDGE_LIMITS.maxFrameBytes,
    skipUTF8Validation: false,
    // Compressed frames would let a small frame unpack into a huge one.
    perMessageDeflate: false,
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = parseRequestTarget(req.url);
    if (!allowedHost(req.headers.host, port)) return refuseOnSocket(socket, '421 Misdirected Request');
    if (!target) return refuseOnSocket(socket, '400 Bad Request', 'Bad request target');
    if (target.path !== '/ws' || !hasToken(req, target, token)) return refuseOnSocket(socket, '401 Unauthorized', TOKEN_NEEDED);
    if (!allowedOrigin(req.headers.origin, port)) return refuseOnSocket(socket, '403 Forbidden');
    if (wss.clients.size >= BRIDGE_LIMITS.maxWebSockets) {
      log(`refused a WebSocket: ${BRIDGE_LIMITS.maxWebSockets} are open already`);
      return refuseOnSocket(socket, '503 Service Unavailable', `The workbench is open in ${BRIDGE_LIMITS.maxWebSockets} pages already: close some of them.`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, socket, { workbench: options.workbench, budget, log }));
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server stops watching a socket it hands over; a reset one must not throw.
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch (err) {
      log(`could not open a WebSocket for ${withoutQuery(req.url)} (${errorText(err)})`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, an error of the server itself (out of file descriptors, say) is logged; it keeps listening.
  server.on('error', (err) => log(`server error (${errorText(err)})`));
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
