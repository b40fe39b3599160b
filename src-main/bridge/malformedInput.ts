/**
 * Malformed input for the bridge's fuzz spec: raw HTTP requests and WebSocket frames, hand
 * made (every kind that once stopped the bridge, and their neighbours) and random (valid
 * requests and frames with their parts swapped for bad ones, then bytes mutated), all
 * drawn from one seeded generator so a failure reproduces.
 */
import { REQUEST_NAMES } from '@shared/api/channels';
import { Rng } from '@shared/random';
import { clientFrame, SAMPLE_KEY, upgradeRequest, type FrameSpec } from './liveBridge';

export interface Target {
  port: number;
  token: string;
}

export interface FuzzCase {
  /** What it is, to name it when the bridge does not survive it. */
  label: string;
  /** The bytes written on a new connection (for a frame case: after a valid handshake, in the same write). */
  bytes: Buffer;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(0, items.length - 1)];
const randomBytes = (rng: Rng, n: number) => Buffer.from(Array.from({ length: n }, () => rng.int(0, 255)));

/** Byte-level damage: flips, insertions, deletions, a cut. */
function mutate(rng: Rng, bytes: Buffer): Buffer {
  let out = Buffer.from(bytes);
  for (let n = rng.int(1, 4); n > 0 && out.length > 0; n--) {
    const at = rng.int(0, out.length - 1);
    const kind = rng.int(0, 3);
    if (kind === 0) out[at] ^= 1 << rng.int(0, 7);
    else if (kind === 1) out = Buffer.concat([out.subarray(0, at), randomBytes(rng, rng.int(1, 8)), out.subarray(at)]);
    else if (kind === 2) out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.int(1, 8))]);
    else out = out.subarray(0, at);
  }
  return out;
}

// ---------------------------------------------------------------------------- HTTP

function handMadeRequests({ port, token }: Target): FuzzCase[] {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const origin = `Origin: http://127.0.0.1:${port}\r\n`;
  const ws = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n`;
  const get = (target: string, headers = host) => `GET ${target} HTTP/1.1\r\n${headers}\r\n`;
  const cases: Array<[string, string | Buffer]> = [
    ['GET //', get('//')],
    ['GET // with the token cookie', get('//', `${host}Cookie: workbench_token=${token}\r\n`)],
    ['GET ///', get('///')],
    ['GET //evil.example/x', get('//evil.example/x')],
    ['absolute target, invalid port', get('http://127.0.0.1:99999/')],
    ['absolute target, negative port', get('http://127.0.0.1:-1/')],
    ['absolute target, invalid port, with the token', get(`http://127.0.0.1:99999/?token=${token}`)],
    ['absolute target, unclosed IPv6 host', get('http://[::1/')],
    ['absolute target, empty host', get('http://:80/')],
    ['asterisk target', `OPTIONS * HTTP/1.1\r\n${host}\r\n`],
    ['authority target', `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n${host}\r\n`],
    ['target without a slash', get('index.html')],
    ['bad percent escape', get(`/%E0%A4%A?token=${token}`)],
    ['bad percent escape without the token', get('/%E0%A4%A')],
    ['lone percent', get(`/%?token=${token}`)],
    ['percent with non-hex', get(`/%zz?token=${token}`)],
    ['encoded NUL', get(`/index.html%00.png?token=${token}`)],
    ['overlong UTF-8 dot-dot', get(`/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd?token=${token}`)],
    ['encoded dot-dot', get(`/..%2f..%2f..%2fetc%2fpasswd?token=${token}`)],
    ['backslash dot-dot', get(`/..\\..\\secret?token=${token}`)],
    ['bad percent escape in the query', get(`/?token=${token}&x=%E0%A4%A`)],
    ['token with a bad escape', get('/?token=%ZZ')],
    ['empty token', get('/?token=')],
    ['two tokens', get(`/?token=wrong&token=${token}`)],
    ['target of 20 kB', get(`/${'a'.repeat(20_000)}?token=${token}`)],
    ['raw non-ASCII bytes in the target', Buffer.concat([Buffer.from('GET /'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(` HTTP/1.1\r\n${host}\r\n`)])],
    ['no Host', 'GET / HTTP/1.1\r\n\r\n'],
    ['two Hosts', `GET /?token=${token} HTTP/1.1\r\n${host}Host: evil.example\r\n\r\n`],
    ['Host with an invalid port', get('/', 'Host: 127.0.0.1:99999\r\n')],
    ['empty Host', get('/', 'Host:\r\n')],
    ['headers of 20 kB', get('/', `${host}X-Big: ${'b'.repeat(20_000)}\r\n`)],
    ['3000 headers', get('/', `${host}${'X-A: 1\r\n'.repeat(3000)}`)],
    ['header without a colon', get('/', `${host}Nonsense\r\n`)],
    ['header with a NUL', get('/', `${host}X-A: a\u0000b\r\n`)],
    ['folded header', get('/', `${host}X-A: a\r\n  folded\r\n`)],
    ['cookie of garbage', get('/', `${host}Cookie: =;;;=;workbench_token;workbench_token==%%%\r\n`)],
    ['cookie of 8 kB', get('/', `${host}Cookie: workbench_token=${'t'.repeat(8000)}\r\n`)],
    ['two token cookies', get('/', `${host}Cookie: workbench_token=x; workbench_token=${token}\r\n`)],
    ['empty bearer', get('/', `${host}Authorization: Bearer \r\n`)],
    ['bearer of 8 kB', get('/', `${host}Authorization: Bearer ${'t'.repeat(8000)}\r\n`)],
    ['negative Content-Length', `POST /?token=${token} HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n`],
    ['Content-Length and chunked', `POST /?token=${token} HTTP/1.1\r\n${host}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`],
    ['bad chunk size', `POST /?token=${token} HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n`],
    ['POST with 1 MB body', `POST /?token=${token} HTTP/1.1\r\n${host}Content-Length: 1000000\r\n\r\n${'p'.repeat(1_000_000)}`],
    ['body announced, never sent', `POST /?token=${token} HTTP/1.1\r\n${host}Content-Length: 1000000\r\n\r\n`],
    ['truncated request line', 'GET /?tok'],
    ['truncated headers', `GET /?token=${token} HTTP/1.1\r\n${host}X-A: b`],
    ['only CRLFs', '\r\n\r\n\r\n'],
    ['HTTP/0.9', 'GET /\r\n'],
    ['HTTP/9.9', `GET / HTTP/9.9\r\n${host}\r\n`],
    ['lower-case method', `get / HTTP/1.1\r\n${host}\r\n`],
    ['unknown method', `BREW / HTTP/1.1\r\n${host}\r\n`],
    ['TLS hello', Buffer.from('16030100a5010000a10303', 'hex')],
    ['binary garbage', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))],
    ['upgrade to // without the token', `GET // HTTP/1.1\r\n${host}${ws}\r\n`],
    ['upgrade to // with the token', `GET //?token=${token} HTTP/1.1\r\n${host}${origin}${ws}\r\n`],
    ['upgrade with an absolute target and an invalid port', `GET http://127.0.0.1:99999/ws HTTP/1.1\r\n${host}${ws}\r\n`],
    ['upgrade with a bad percent escape', `GET /ws%E0%A4%A?token=${token} HTTP/1.1\r\n${host}${origin}${ws}\r\n`],
    ['upgrade without the token', `GET /ws HTTP/1.1\r\n${host}${origin}${ws}\r\n`],
    ['upgrade from another origin', `GET /ws?token=${token} HTTP/1.1\r\n${host}Origin: http://evil.example\r\n${ws}\r\n`],
    ['upgrade to another host', `GET /ws?token=${token} HTTP/1.1\r\nHost: evil.example\r\n${origin}${ws}\r\n`],
    ['upgrade with a bad key', `GET /ws?token=${token} HTTP/1.1\r\n${host}${origin}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n`],
    ['upgrade with version 8', `GET /ws?token=${token} HTTP/1.1\r\n${host}${origin}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${SAMPLE_KEY}\r\nSec-WebSocket-Version: 8\r\n\r\n`],
    ['upgrade to h2c', `GET /ws?token=${token} HTTP/1.1\r\n${host}${origin}Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n`],
    ['upgrade by POST', `POST /ws?token=${token} HTTP/1.1\r\n${host}${origin}${ws}Content-Length: 3\r\n\r\nabc`],
    ['upgrade asking for deflate', `GET /ws?token=${token} HTTP/1.1\r\n${host}${origin}${ws}Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99\r\n\r\n`],
    ['upgrade with garbage protocols', `GET /ws?token=${token} HTTP/1.1\r\n${host}${origin}${ws}Sec-WebSocket-Protocol: ,,, ;;\r\n\r\n`],
    ['upgrade, truncated', `GET /ws?token=${token} HTTP/1.1\r\n${host}${origin}Upgrade: webs`],
  ];
  return cases.map(([label, bytes]) => ({ label: `HTTP: ${label}`, bytes: Buffer.from(bytes) }));
}

/** Mostly well-formed, so that many requests get past the HTTP parser to the bridge's own checks. */
function randomRequest(rng: Rng, { port, token }: Target): FuzzCase {
  const often = <T>(usual: T, others: readonly T[]): T => (rng.next() < 0.7 ? usual : pick(rng, others));
  const withToken = rng.next() < 0.5;
  const method = often('GET', ['HEAD', 'POST', 'PUT', 'OPTIONS', 'DELETE', 'get', 'G T', '']);
  const path = pick(rng, ['/', '//', '/index.html', '/ws', '/%', '/%E0%A4%A', '/%zz', '/%00', '/..%2f..%2f', '/a/../../b', '/\\..', 'http://127.0.0.1:99999/', 'http://127.0.0.1:0/', '*', 'x', `/${'%41'.repeat(rng.int(1, 3000))}`]);
  const query = withToken ? pick(rng, [`?token=${token}`, `?token=${token}&token=x`, `?x=%E0&token=${token}`]) : pick(rng, ['', '?token=', '?token=%', '?token']);
  const version = often('HTTP/1.1', ['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '']);
  const headers = [
    often(`Host: 127.0.0.1:${port}`, [`Host: localhost:${port}`, 'Host: evil.example', 'Host: 127.0.0.1:99999', 'Host:', '']),
    pick(rng, ['', `Cookie: workbench_token=${withToken ? token : 'x'}`, 'Cookie: ;;==;', `Cookie: workbench_token=%${'c'.repeat(rng.int(0, 9000))}`]),
    pick(rng, ['', `Authorization: Bearer ${withToken ? token : ''}`, 'Authorization: Basic Og==']),
    pick(rng, ['', `Origin: http://127.0.0.1:${port}`, 'Origin: null', 'Origin: http://evil.example']),
    often('', ['Upgrade: websocket\r\nConnection: Upgrade', `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${SAMPLE_KEY}\r\nSec-WebSocket-Version: ${pick(rng, ['13', '8', 'x'])}`]),
    often('', ['Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999999999999', 'Transfer-Encoding: chunked']),
    often('', [`X-Filler: ${'f'.repeat(rng.int(0, 20_000))}`]),
  ].filter(Boolean);
  const body = often('', ['hello', '0\r\n\r\n', 'zz\r\n']);
  const request = Buffer.from(`${method} ${path}${query} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`);
  const damaged = rng.next() < 0.25;
  return { label: `HTTP: random ${method} ${path.slice(0, 40)}${query.slice(0, 30)}${damaged ? ', mutated' : ''}`, bytes: damaged ? mutate(rng, request) : request };
}

// ---------------------------------------------------------------------------- WebSocket frames

const request = (id: unknown, name: unknown, params: unknown) => JSON.stringify({ type: 'request', id, name, params });

function handMadeFrames(): Array<[string, Buffer]> {
  const text = (payload: string | Buffer, extra: Partial<FrameSpec> = {}) => clientFrame({ opcode: 1, payload, ...extra });
  const valid = text(request(1, 'datasets.list', {}));
  const cases: Array<[string, Buffer | Buffer[]]> = [
    ['invalid UTF-8 text', text(Buffer.from([0x7b, 0xff, 0xfe, 0xc3]))],
    ['truncated UTF-8 sequence', text(Buffer.from([0x22, 0xe2, 0x82]))],
    ['UTF-8 surrogate half', text(Buffer.from([0xed, 0xa0, 0x80]))],
    ['overlong UTF-8', text(Buffer.from([0xc0, 0xaf]))],
    ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode): [string, Buffer] => [`reserved opcode ${opcode}`, clientFrame({ opcode, payload: 'x' })]),
    ['unmasked text frame', text(request(1, 'datasets.list', {}), { masked: false })],
    ['RSV1 without an extension', text('{}', { rsv: 4 })],
    ['all RSV bits', text('{}', { rsv: 7 })],
    ['announced 2^40 bytes', clientFrame({ opcode: 1, announced: 2n ** 40n })],
    ['announced 2^63-1 bytes', clientFrame({ opcode: 1, announced: 2n ** 63n - 1n })],
    ['announced 2^64-1 bytes (most significant bit set)', clientFrame({ opcode: 1, announced: 2n ** 64n - 1n })],
    ['announced 300 MB, 1 MiB sent', Buffer.concat([clientFrame({ opcode: 1, announced: 300_000_000 }), Buffer.alloc(1 << 20, 'x')])],
    ['announced 300 MB in a binary frame', clientFrame({ opcode: 2, announced: 300_000_000 })],
    ['announced length longer than sent', clientFrame({ opcode: 1, payload: '{"type"', announced: 5000 })],
    ['continuation without a start', clientFrame({ opcode: 0, payload: 'x' })],
    ['new message inside a fragmented one', [text('{"type":', { fin: false }), text('"request"}')]],
    ['fragmented garbage', [text(Buffer.from([0xff]), { fin: false }), clientFrame({ opcode: 0, payload: Buffer.from([0xfe]), fin: false }), clientFrame({ opcode: 0, payload: '}' })]],
    ['fragmented valid request', [text('{"type":"request","id":1,', { fin: false }), clientFrame({ opcode: 0, payload: '"name":"datasets.list","params":{}}' })]],
    ['fragmented ping', clientFrame({ opcode: 9, payload: 'x', fin: false })],
    ['ping of 126 bytes', clientFrame({ opcode: 9, payload: Buffer.alloc(126) })],
    ['close with code 999', clientFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) })],
    ['close with code 1005', clientFrame({ opcode: 8, payload: Buffer.from([0x03, 0xed]) })],
    ['close with one byte', clientFrame({ opcode: 8, payload: Buffer.from([0x03]) })],
    ['close with invalid UTF-8 reason', clientFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xff]) })],
    ['2000 pings', Array.from({ length: 2000 }, () => clientFrame({ opcode: 9, payload: 'p' }))],
    ['not JSON', text('{not json')],
    ['empty text', text('')],
    ['JSON array', text('[]')],
    ['JSON null', text('null')],
    ['JSON string', text('"request"')],
    ['a frame without an id', text('{"type":"request","name":"datasets.list"}')],
    ['a string id', text(request('1', 'datasets.list', {}))],
    ['a fractional id', text(request(1.5, 'datasets.list', {}))],
    ['an id of 1e308', text('{"type":"request","id":1e308,"name":"datasets.list","params":{}}')],
    ['a name that is not a string', text(request(1, { toString: 1 }, {}))],
    ['an unknown name', text(request(1, 'nope.nothing', {}))],
    ['__proto__ as the name', text(request(1, '__proto__', {}))],
    ['constructor as the name', text(request(1, 'constructor', {}))],
    ['a known name with a handler the bridge lacks', text(request(1, 'runs.start', {}))],
    ['params polluting the prototype', text('{"type":"request","id":1,"name":"runs.get","params":{"__proto__":{"id":1},"constructor":{"prototype":{"x":1}}}}')],
    ['params nested 100,000 deep', text(`{"type":"request","id":1,"name":"runs.update","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)],
    ['params nested 5,000 deep in objects', text(`{"type":"request","id":1,"name":"runs.query","params":{"filters":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`)],
    ['a lone surrogate escape', text(request(1, 'runs.get', { id: '\ud800' }))],
    ['a JSON request in a binary frame', clientFrame({ opcode: 2, payload: request(1, 'datasets.list', {}) })],
    ['a valid request, then garbage', [valid, fixedBytes(64)]],
    ['500 valid requests', Array.from({ length: 500 }, () => valid)],
  ];
  return cases.map(([label, frames]) => [label, Array.isArray(frames) ? Buffer.concat(frames) : frames]);
}

/** Arbitrary bytes that need no generator, for the hand-made cases. */
function fixedBytes(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 151 + 7) % 256));
}

function randomPayload(rng: Rng): Buffer {
  const id = pick(rng, [rng.int(-5, 1e6), 0, -1, 2 ** 53, 1.5, '1', null]);
  const name = pick(rng, [...REQUEST_NAMES, 'nope', '', 'runs.', '__proto__']);
  const params = pick(rng, [{}, null, [], 'x', { id: rng.int(-3, 3) }, { content: 'c'.repeat(rng.int(0, 5000)), asCopy: rng.next() < 0.5 }, { limit: -1, offset: 'x' }, { path: '../../etc/passwd' }]);
  const kind = rng.int(0, 5);
  if (kind === 0) return randomBytes(rng, rng.int(0, 300));
  if (kind === 1) return Buffer.from(JSON.stringify(pick(rng, [1, 'x', true, null, [], {}, { type: 'reply' }, { type: 'request' }])));
  const json = Buffer.from(request(id, name, params));
  return kind === 2 ? mutate(rng, json) : json;
}

function randomFrame(rng: Rng): Buffer {
  const payload = randomPayload(rng);
  const valid = rng.next() < 0.5;
  const spec: FrameSpec = valid
    ? { opcode: 1, payload }
    : {
        opcode: pick(rng, [0, 1, 1, 2, 3, 8, 9, 10, 11, 15]),
        payload,
        fin: rng.next() < 0.8,
        rsv: rng.next() < 0.8 ? 0 : rng.int(1, 7),
        masked: rng.next() < 0.9,
        announced: rng.next() < 0.8 ? undefined : pick(rng, [0, 1, 125, 126, 65535, 65536, 2 ** 31, 2 ** 40, 300_000_000]),
      };
  const frame = clientFrame(spec);
  return rng.next() < 0.15 ? mutate(rng, frame) : frame;
}

// ---------------------------------------------------------------------------- cases

/** `count` cases, the hand-made ones first, then random ones from `seed`; half HTTP, half frames. */
export function fuzzCases(target: Target, seed: number, count: number): { http: FuzzCase[]; frames: FuzzCase[] } {
  const rng = new Rng(seed);
  const handshake = Buffer.from(upgradeRequest(target.port, target.token));
  const http = handMadeRequests(target);
  while (http.length < count / 2) http.push(randomRequest(rng, target));
  const frames = handMadeFrames().map(([label, bytes]) => ({ label: `frames: ${label}`, bytes: Buffer.concat([handshake, bytes]) }));
  for (let i = 0; frames.length < count / 2; i++) {
    const n = rng.int(1, 4);
    const parts = Array.from({ length: n }, () => randomFrame(rng));
    frames.push({ label: `frames: random #${i} (${n} frames)`, bytes: Buffer.concat([handshake, ...parts]) });
  }
  return { http, frames };
}
