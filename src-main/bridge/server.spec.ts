import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventSink } from '../platform/events';
import { createDispatcher, type Handlers } from '../app/dispatch';
import type { Workbench } from '../app/workbench';
import { startBridge, type Bridge } from './server';
import { BRIDGE_MAX_FRAME_BYTES } from '@shared/api/limits';

let bridge: Bridge;
let dir: string;
const events = new EventSink();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-bridge-'));
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>wb</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  const workbench: Workbench = {
    dispatch: createDispatcher({ 'datasets.list': () => [] } as unknown as Handlers),
    events,
    dataDir: dir,
    interruptedAtStart: 0,
    uploads: null,
    close: () => undefined,
  };
  bridge = await startBridge({ workbench, staticDir });
});
afterAll(async () => {
  await bridge.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${bridge.port}`;

function openSocket(url: string, origin: string | undefined): Promise<{ ws: WebSocket; status: number | 'open' }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ ws, status: 'open' }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ ws, status: 0 }));
  });
}

describe('browser bridge', () => {
  it('listens on loopback only', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });

  it('answers 401 without the token and with a wrong one', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base()}/`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('serves the page with the token and sets a cookie for its assets, with a CSP', async () => {
    const res = await fetch(bridge.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${base()}/index.html`, { headers: { cookie } })).status).toBe(200);
  });

  it('never serves files outside the renderer folder', async () => {
    const res = await fetch(`${base()}/..%2fsecret.txt?token=${bridge.token}`);
    expect(res.status).toBe(404);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const res = await new Promise<number>((resolve) => {
      void import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: bridge.port, path: `/?token=${bridge.token}`, headers: { host: `evil.example:${bridge.port}` } }, (r) => resolve(r.statusCode ?? 0));
        req.end();
      });
    });
    expect(res).toBe(421);
  });

  it('refuses a WebSocket without the token (401) and from another origin (403)', async () => {
    const noToken = await openSocket(`ws://127.0.0.1:${bridge.port}/ws`, base());
    expect(noToken.status).toBe(401);
    const evil = await openSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, 'http://evil.example');
    expect(evil.status).toBe(403);
    const none = await openSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, undefined);
    expect(none.status).toBe(403);
  });

  it('carries requests, replies and events over an accepted WebSocket', async () => {
    const { ws, status } = await openSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, base());
    expect(status).toBe('open');
    const frames: unknown[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'datasets.list', params: {} }));
    ws.send(JSON.stringify({ type: 'request', id: 2, name: 'runs.get', params: { id: 'x' } }));
    await new Promise((r) => setTimeout(r, 100));
    events.emit('log', { level: 'info', message: 'hello', runId: null });
    await new Promise((r) => setTimeout(r, 100));
    expect(frames).toContainEqual({ type: 'reply', id: 1, reply: { ok: true, result: [] } });
    expect(frames).toContainEqual(expect.objectContaining({ type: 'reply', id: 2, reply: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'invalid_params' }) }) }));
    expect(frames).toContainEqual({ type: 'event', name: 'log', payload: { level: 'info', message: 'hello', runId: null } });
    ws.close();
  });

  it('refuses a frame over the request size limit by closing that socket, and keeps serving', async () => {
    // Files travel as uploads, so no request needs more than BRIDGE_MAX_FRAME_BYTES.
    const { ws } = await openSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, base());
    const code = await new Promise<number>((resolve) => {
      ws.once('close', (c) => resolve(c));
      ws.send(JSON.stringify({ type: 'request', id: 7, name: 'datasets.list', params: { content: 'x'.repeat(BRIDGE_MAX_FRAME_BYTES) } }));
    });
    expect(code).toBe(1009);
    const { ws: again } = await openSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, base());
    const reply = new Promise<{ id: number }>((resolve) => again.once('message', (d) => resolve(JSON.parse(String(d)))));
    again.send(JSON.stringify({ type: 'request', id: 8, name: 'datasets.list', params: {} }));
    expect(await reply).toMatchObject({ type: 'reply', id: 8, reply: { ok: true, result: [] } });
    again.close();
  });

  it('closes the socket on a malformed frame', async () => {
    const { ws } = await openSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, base());
    const code = await new Promise<number>((resolve) => {
      ws.once('close', (c) => resolve(c));
      ws.send('{not json');
    });
    expect(code).toBe(1003);
  });
});
