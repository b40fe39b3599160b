import { describe, expect, it } from 'vitest';
import { webSocketTransport } from './transport';

/** A socket that opens at once and records what is sent. */
class FakeSocket {
  static sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor() {
    queueMicrotask(() => this.onopen?.());
  }
  send(data: string) {
    FakeSocket.sent.push(data);
    const { id } = JSON.parse(data) as { id: number };
    queueMicrotask(() => this.onmessage?.({ data: JSON.stringify({ type: 'reply', id, reply: { ok: true, result: [] } }) }));
  }
}

describe('webSocketTransport', () => {
  it('answers an over-size request with a clear error instead of sending it (the bridge would drop the connection)', async () => {
    FakeSocket.sent = [];
    const transport = webSocketTransport('ws://x', FakeSocket as unknown as typeof WebSocket, 1000);
    const big = await transport.request('runs.importBundle', { content: 'x'.repeat(2000), asCopy: false });
    expect(big).toMatchObject({ ok: false, error: { code: 'invalid_params', message: expect.stringMatching(/more than the .* MiB the browser connection carries/) } });
    expect(FakeSocket.sent).toEqual([]);
    // The connection is still usable.
    expect(await transport.request('datasets.list', {})).toEqual({ ok: true, result: [] });
    expect(FakeSocket.sent).toHaveLength(1);
  });
});
