import type { ChosenFile } from '@shared/api/entities';
import type { UploadPurpose } from '@shared/api/limits';
import { ApiError, type Api } from './client';

export interface UploadProgress {
  bytesDone: number;
  bytesTotal: number;
}

/** Sends one file's bytes into the data directory and resolves with its one-time handle. */
export type Uploader = (file: File, purpose: UploadPurpose, onProgress: (p: UploadProgress) => void, signal: AbortSignal) => Promise<ChosenFile>;

export class UploadCancelled extends Error {
  constructor(fileName: string) {
    super(`The upload of ${fileName} was cancelled; nothing was kept.`);
  }
}

/**
 * Browser mode's uploads: main reserves the upload (checking its size and the free disk
 * space), then the bytes go as one HTTP PUT to the bridge, which streams them to disk. XHR
 * rather than fetch because only XHR reports upload progress.
 */
export function browserUploader(api: Api): Uploader {
  return async (file, purpose, onProgress, signal) => {
    if (signal.aborted) throw new UploadCancelled(file.name);
    if (file.size === 0) throw new ApiError({ code: 'invalid_params', message: `${file.name} is empty: choose the right file.` });
    const { url } = await api.request('uploads.begin', { purpose, fileName: file.name, bytes: file.size });
    return new Promise<ChosenFile>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', url);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => onProgress({ bytesDone: e.loaded, bytesTotal: file.size });
      xhr.onload = () => {
        const body = xhr.response as { file?: ChosenFile; error?: string } | null;
        if (xhr.status === 201 && body?.file) resolve(body.file);
        else reject(new ApiError({ code: 'invalid_params', message: body?.error ?? `The upload of ${file.name} was refused (HTTP ${xhr.status}).` }));
      };
      xhr.onerror = () => reject(new ApiError({ code: 'internal', message: `The upload of ${file.name} was cut off. Is the workbench still running?` }));
      xhr.onabort = () => reject(new UploadCancelled(file.name));
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });
  };
}
