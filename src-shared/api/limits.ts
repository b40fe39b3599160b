/** Size limits both sides of the contract check, so an over-size file fails with a message instead of a dropped connection. */

/** The largest run bundle the workbench writes or reads (a paper-size model's bundle is a few MiB). */
export const MAX_RUN_BUNDLE_BYTES = 256 * 1024 * 1024;

/**
 * The largest WebSocket frame the browser bridge accepts: a bundle uploaded as a request's
 * `content`, plus room for the JSON escaping of its quotes and the request around it.
 */
export const BRIDGE_MAX_FRAME_BYTES = MAX_RUN_BUNDLE_BYTES + MAX_RUN_BUNDLE_BYTES / 8;

export const mebibytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
