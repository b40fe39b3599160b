import type { IncomingMessage, ServerResponse } from 'node:http';
import { toErrorShape } from '../app/dispatch';
import type { UploadReceiver } from '../data/uploads';

const UPLOAD_PATH = /^\/uploads\/([0-9a-f]{24})$/;

const HTTP_STATUS: Record<string, number> = { invalid_params: 400, not_found: 404, conflict: 409, storage: 507 };

/** The upload id of a `PUT /uploads/<id>` request, or null for any other request. */
export function uploadIdOf(method: string | undefined, pathname: string): string | null {
  if (method !== 'PUT') return null;
  return UPLOAD_PATH.exec(pathname)?.[1] ?? null;
}

/**
 * Streams an upload's body to the receiver and answers with the file's handle as JSON, or
 * with the reason it was refused. The caller has checked the token, Host and Origin.
 */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, receiver: UploadReceiver, uploadId: string): Promise<void> {
  const reply = (status: number, body: unknown) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
  };
  const length = req.headers['content-length'];
  const declared = length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : null;
  if (declared === null) {
    // Drain nothing: the connection closes with the answer.
    res.setHeader('Connection', 'close');
    reply(411, { error: 'An upload must state its size (Content-Length).' });
    return;
  }
  try {
    const file = await receiver.receive(uploadId, req, declared);
    reply(201, { file });
  } catch (err) {
    const shape = toErrorShape(err);
    res.setHeader('Connection', 'close');
    reply(HTTP_STATUS[shape.code] ?? 500, { error: shape.message });
  }
}
