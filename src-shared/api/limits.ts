/** Size limits both sides of the contract check, so an over-size file fails with a message instead of a dropped connection. */

/** The largest run bundle the workbench writes or reads (a paper-size model's bundle is a few MiB). */
export const MAX_RUN_BUNDLE_BYTES = 256 * 1024 * 1024;

/**
 * What a browser may upload into the data directory, and the largest file of each kind: the
 * official CMU_MOSEI_COVAREP.csd is a few GiB, so a computational sequence may be up to 16 GiB.
 * (The desktop app reads files where the user chose them and uploads nothing.)
 */
export const UPLOAD_PURPOSES = ['csd', 'bundle'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
export const MAX_UPLOAD_BYTES: Record<UploadPurpose, number> = {
  csd: 16 * 1024 ** 3,
  bundle: MAX_RUN_BUNDLE_BYTES,
};

/**
 * The largest WebSocket frame the browser bridge accepts. Files travel as uploads (HTTP, streamed
 * to disk), so a request is small: the largest legitimate one is a run's notes (20,000 characters).
 */
export const BRIDGE_MAX_FRAME_BYTES = 1024 * 1024;

export const mebibytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
