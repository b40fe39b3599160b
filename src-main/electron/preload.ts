/**
 * The only bridge between the sandboxed page and main: one function to send a request of
 * the contract, one to listen to its events. Unknown names are refused here already;
 * main validates every message again where it enters.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, REQUEST_NAMES } from '@shared/api/channels';

const requestNames = new Set<string>(REQUEST_NAMES);
const eventNames = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('workbench', {
  request(name: string, params: unknown): Promise<unknown> {
    if (!requestNames.has(name)) return Promise.resolve({ ok: false, error: { code: 'unknown_request', message: `Unknown request: ${name}` } });
    return ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, params);
  },
  onEvent(listener: (name: string, payload: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (eventNames.has(name)) listener(name, payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
});
