/**
 * How a worker process (training, import) talks to main, whichever way it was started:
 * Electron's utilityProcess gives it `process.parentPort`, a Node fork gives it IPC.
 * Without a parent there is no one to report to, so a worker exits when main goes away.
 */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;

export function sendToParent(message: unknown): void {
  if (electronPort) electronPort.postMessage(message);
  else if (process.connected) process.send?.(message);
}

export function onParentMessage(listener: (message: unknown) => void): void {
  if (electronPort) electronPort.on('message', (e) => listener(e.data));
  else process.on('message', listener);
}

process.on('disconnect', () => process.exit(0));
