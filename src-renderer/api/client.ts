import type { EventName, RequestName } from '@shared/api/channels';
import type { EventPayload, Params, Result, WorkbenchErrorShape } from '@shared/api/contract';
import { preloadTransport, webSocketTransport, type Transport } from './transport';

/** A failed request, with the message main wrote for the user. */
export class ApiError extends Error {
  constructor(readonly shape: WorkbenchErrorShape) {
    super(shape.issues?.length ? `${shape.message}: ${shape.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : shape.message);
  }
}

export interface Api {
  request<N extends RequestName>(name: N, params: Params<N>): Promise<Result<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createApi(transport: Transport): Api {
  return {
    async request(name, params) {
      const reply = await transport.request(name, params);
      if (!reply.ok) throw new ApiError(reply.error);
      return reply.result as never;
    },
    on(name, listener) {
      return transport.onEvent((n, payload) => {
        if (n === name) listener(payload as never);
      });
    },
  };
}

/** Electron's preload if present, otherwise the bridge this page was served from. */
export function defaultTransport(): Transport {
  const preload = (globalThis as { workbench?: Parameters<typeof preloadTransport>[0] }).workbench;
  if (preload) return preloadTransport(preload);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return webSocketTransport(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
}
