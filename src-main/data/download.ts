import { createWriteStream, existsSync, openSync, readSync, closeSync, renameSync, statSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

/** One file to fetch, with the sizes a genuine copy must fall between (no checksum is published). */
export interface DownloadSource {
  url: string;
  minBytes: number;
  maxBytes: number;
}

/** The official CMU-MOSEI files (cmu-mosei.md). COVAREP is several GB, the labels about 6.5 MB. */
export const OFFICIAL_SOURCES: Record<'covarep' | 'labels', DownloadSource & { fileName: string }> = {
  covarep: {
    url: 'http://immortal.multicomp.cs.cmu.edu/CMU-MOSEI/acoustic/CMU_MOSEI_COVAREP.csd',
    fileName: 'CMU_MOSEI_COVAREP.csd',
    minBytes: 500 * 2 ** 20,
    maxBytes: 64 * 2 ** 30,
  },
  labels: {
    url: 'http://immortal.multicomp.cs.cmu.edu/CMU-MOSEI/labels/CMU_MOSEI_Labels.csd',
    fileName: 'CMU_MOSEI_Labels.csd',
    minBytes: 1 * 2 ** 20,
    maxBytes: 200 * 2 ** 20,
  },
};

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

export class DownloadError extends Error {}

function request(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { headers, signal }, resolve);
    req.on('error', (err) => reject(new DownloadError(`Could not download ${url}: ${err.message}`)));
  });
}

function startsWithHdf5Signature(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    return head.equals(HDF5_SIGNATURE);
  } finally {
    closeSync(fd);
  }
}

/**
 * Downloads `source` to `dest`, resuming a previous partial download (`dest.part`) with an
 * HTTP Range request when the server supports it. The file only takes its final name
 * once complete and plausible: its size within the source's bounds and an HDF5 header.
 */
export async function downloadFile(
  source: DownloadSource,
  dest: string,
  options: { onProgress?: (done: number, total: number | null) => void; signal?: AbortSignal; redirects?: number } = {},
): Promise<{ bytes: number; resumedFrom: number }> {
  const part = `${dest}.part`;
  let have = existsSync(part) ? statSync(part).size : 0;
  let url = source.url;
  let res: IncomingMessage;
  for (let hop = 0; ; hop++) {
    res = await request(url, have > 0 ? { Range: `bytes=${have}-` } : {}, options.signal);
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      if (hop >= (options.redirects ?? 5)) throw new DownloadError(`Too many redirects downloading ${source.url}.`);
      url = new URL(location, url).toString();
      continue;
    }
    break;
  }
  if (res.statusCode === 416 && have > 0) {
    // The partial file is already complete (or longer than the file now is): start over.
    res.resume();
    rmSync(part, { force: true });
    return downloadFile(source, dest, options);
  }
  if (res.statusCode !== 200 && res.statusCode !== 206) {
    res.resume();
    throw new DownloadError(`The server answered ${res.statusCode} for ${url}.`);
  }
  const resumed = res.statusCode === 206;
  if (!resumed) have = 0; // no Range support: start from the beginning
  const length = Number(res.headers['content-length']);
  const total = Number.isFinite(length) ? have + length : null;
  if (total !== null && (total < source.minBytes || total > source.maxBytes)) {
    res.resume();
    throw new DownloadError(
      `${url} is ${total.toLocaleString('en-US')} bytes, outside the expected ${source.minBytes.toLocaleString('en-US')}–${source.maxBytes.toLocaleString('en-US')}: not the file expected (an error page?). Nothing was saved.`,
    );
  }
  const resumedFrom = have;
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    // On a dropped connection, first flush what arrived (it is what a resume continues from), then fail.
    let failure: Error | null = null;
    const fail = (err: Error) => {
      failure ??= err;
      res.unpipe(out);
      out.end();
    };
    res.on('data', (chunk: Buffer) => {
      have += chunk.length;
      options.onProgress?.(have, total);
    });
    res.on('error', (err) => fail(options.signal?.aborted ? new DownloadError('Download cancelled.') : err));
    res.on('aborted', () => fail(new DownloadError(`The connection closed before ${url} was complete; download again to resume.`)));
    out.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOSPC' ? new DownloadError(`The disk is full; free space and download again to resume (${have.toLocaleString('en-US')} bytes kept).`) : err);
    });
    out.on('close', () => (failure ? reject(failure) : resolve()));
    res.pipe(out);
  });
  const size = statSync(part).size;
  if (total !== null && size !== total) {
    throw new DownloadError(`The download of ${url} stopped at ${size.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} bytes; download again to resume.`);
  }
  if (size < source.minBytes || size > source.maxBytes) {
    throw new DownloadError(`${url} gave ${size.toLocaleString('en-US')} bytes, outside the expected range: not the file expected.`);
  }
  if (!startsWithHdf5Signature(part)) {
    rmSync(part, { force: true });
    throw new DownloadError(`${url} did not give an HDF5 file (a .csd starts with the HDF5 signature); it was discarded.`);
  }
  renameSync(part, dest);
  return { bytes: size, resumedFrom };
}
