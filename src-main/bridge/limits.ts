import { BRIDGE_MAX_FRAME_BYTES } from '@shared/api/limits';

/**
 * What the browser bridge holds at most, so that no flood of connections, requests or
 * bytes can exhaust the memory of the process that also runs the training.
 */
export const BRIDGE_LIMITS = {
  /** One frame: a request (files travel as uploads, streamed to disk, not in frames). */
  maxFrameBytes: BRIDGE_MAX_FRAME_BYTES,
  /**
   * Bytes of requests being received or handled on all WebSockets together (a request costs
   * about four times its size while it is parsed). A connection that would go beyond is
   * closed with 1013 (try again later).
   */
  receiveBudgetBytes: 16 * BRIDGE_MAX_FRAME_BYTES,
  /** Open WebSockets (each page of the workbench holds one); more are answered 503. */
  maxWebSockets: 32,
  /** Requests one WebSocket has handled at once; beyond, the bridge stops reading it until some are answered. */
  maxRequestsInFlight: 64,
  /** Replies waiting for a client that does not read them; beyond, the bridge stops reading its requests. */
  maxUnsentBytes: 16 * 1024 * 1024,
} as const;
