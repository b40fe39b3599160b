/** Size limits both sides of the contract check, so an over-size file fails with a message instead of a dropped connection. */

/** The largest run bundle the workbench writes or reads (a paper-size model's bundle is a few MiB). */
export const MAX_RUN_BUNDLE_BYTES = 256 * 1024 * 1024;

/**
 * The largest run bundle a request may carry as its content (browser mode uploads it over
 * the bridge). Holding a request costs the bridge about four times its size while it is
 * received and parsed, so uploads stay well below MAX_RUN_BUNDLE_BYTES; a bigger bundle
 * (a model several times the paper's, saved with its optimizer state) is imported from its
 * path on the machine running the workbench.
 */
export const MAX_UPLOADED_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * The largest WebSocket frame the browser bridge accepts: an uploaded bundle as a request's
 * `content`, plus room for the JSON escaping of its quotes and the request around it.
 */
export const BRIDGE_MAX_FRAME_BYTES = MAX_UPLOADED_BUNDLE_BYTES + MAX_UPLOADED_BUNDLE_BYTES / 8;

export const mebibytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);

/** Why a run bundle of `bytes` cannot be uploaded, and what to do instead. */
export function uploadTooLargeMessage(label: string, bytes: number): string {
  if (bytes > MAX_RUN_BUNDLE_BYTES) return `${label} is ${mebibytes(bytes)} MiB, more than the ${mebibytes(MAX_RUN_BUNDLE_BYTES)} MiB a run bundle may hold: is it the right file?`;
  return `${label} is ${mebibytes(bytes)} MiB, more than the ${mebibytes(MAX_UPLOADED_BUNDLE_BYTES)} MiB a run bundle may have to be uploaded. Import it on the machine running the workbench instead: npm run bundle -- import FILE.`;
}
