/**
 * Desktop entry: one window, the renderer sandboxed behind a preload that forwards the
 * contract over IPC, and the training process as an Electron utilityProcess.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '@shared/api/channels';
import { createWorkbench, type Workbench } from '../app/workbench';
import { argValue, resolveDataDir, resolveWorkers } from '../config/dataDir';
import { CONTENT_SECURITY_POLICY } from '@shared/security/csp';
import { isOwnPage, mayOpenExternally, rendererUrl } from './guards';
import type { SpawnProcess } from '../platform/workerProcesses';

const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '..', 'renderer', 'index.html');
/** The application icon (resources/, built from icon.svg by resources/build-icons.mjs). */
const appIcon = join(here, '..', '..', 'resources', 'icon.png');
const ownPage = rendererUrl(rendererIndex);

const spawnUtilityProcess: SpawnProcess = (entry, env = {}) => {
  const child = utilityProcess.fork(join(here, `${entry}.js`), [], { serviceName: entry, stdio: 'inherit', env: { ...process.env, ...env } });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.on('exit', (code) => l(code, null)),
    kill: () => void child.kill(),
  };
};

function createWindow(workbench: Workbench): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'MOSEI SSL Workbench',
    // The window's and the taskbar's icon (resources/: built from icon.svg).
    icon: appIcon,
    webPreferences: {
      preload: join(here, '..', 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // Navigation, redirects and new windows are blocked; the app's own links open in the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (mayOpenExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const unsubscribe = workbench.events.subscribe((name, payload) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, name, payload);
  });
  win.on('closed', unsubscribe);
  void win.loadFile(rendererIndex);
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  if (process.platform === 'darwin') app.dock?.setIcon(appIcon);
  const dataDir = resolveDataDir(argValue(process.argv, '--data-dir'), process.env, app.getPath('userData'));
  let window: BrowserWindow | null = null;
  const workbench = await createWorkbench({
    dataDir,
    mode: 'electron',
    spawnProcess: spawnUtilityProcess,
    workers: resolveWorkers(argValue(process.argv, '--workers'), process.env),
    pickPath: async (kind, title, defaultName) => {
      const options = { title, defaultPath: app.getPath('downloads') };
      if (kind === 'save-file') {
        const name = defaultName ?? 'export';
        const extension = extname(name).slice(1);
        const r = await dialog.showSaveDialog(window!, {
          ...options,
          defaultPath: join(options.defaultPath, name),
          filters: extension ? [{ name: extension.toUpperCase(), extensions: [extension] }, { name: 'All files', extensions: ['*'] }] : undefined,
        });
        return r.canceled ? null : (r.filePath ?? null);
      }
      const filters = {
        'csd-file': [{ name: 'Computational sequences', extensions: ['csd'] }, { name: 'All files', extensions: ['*'] }],
        'open-bundle': [{ name: 'Run bundles', extensions: ['json'] }, { name: 'All files', extensions: ['*'] }],
        folder: undefined,
      }[kind];
      const r = await dialog.showOpenDialog(window!, {
        ...options,
        properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'],
        filters,
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The page needs no browser permission (camera, notifications, clipboard…): none is granted or reported as granted.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  ipcMain.handle(IPC_REQUEST_CHANNEL, (event, name: unknown, params: unknown) => {
    // Only our own page may call in.
    if (!isOwnPage(event.senderFrame?.url, ownPage)) {
      return { ok: false, error: { code: 'unknown_request', message: 'Requests are accepted from the workbench window only.' } };
    }
    return workbench.dispatch(name, params);
  });

  window = createWindow(workbench);
  app.on('window-all-closed', () => {
    workbench.close();
    app.quit();
  });
}

void main();
