import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestTarget } from './requestTarget';

export const TOKEN_COOKIE = 'workbench_token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return undefined;
}

/** The token a request presents: `?token=`, `Authorization: Bearer`, or the cookie set on first visit. */
export function presentedToken(req: IncomingMessage, target: RequestTarget): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  return target.query.get('token') ?? bearer ?? cookieToken(req);
}

export function hasToken(req: IncomingMessage, target: RequestTarget, token: string): boolean {
  const presented = presentedToken(req, target);
  return presented !== undefined && sameSecret(presented, token);
}

/** Only our own origin, on loopback, may open the WebSocket (blocks other sites' pages). */
export function allowedOrigin(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/** Host header check against DNS rebinding: the page must address us by a loopback name. */
export function allowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}
