import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { BrowserWindow, Menu, app, ipcMain, session, shell } from 'electron';

import { rendererDir } from '../adapters/app-paths.js';
import { createLocalCore } from '../composition.js';
import type { AppCore } from '../services/app-core.js';
import { createPushForwarder, isTrustedSender, registerIpcHandlers, webContentsClientId } from './ipc.js';
import { createPrintToPdfRenderer, shellReveal } from './report-window.js';
import { applySessionGuards, applyWindowGuards } from './security.js';
import { buildMenuTemplate, mainWindowOptions } from './window.js';

// The desktop composition root (bundled to dist/electron/main.cjs). Electron is a thin shell here: one
// window, the security guards, IPC wiring and the push forwarder. Everything else lives in the core.

/** How long quitting waits for the core to release its resources. */
const DISPOSE_TIMEOUT_MS = 5_000;

// Checklist #4: enable process sandboxing for every renderer, including any we did not create ourselves.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another Bulkhead window is already open; it is focused through its 'second-instance' handler.
  app.quit();
} else {
  runDesktop();
}

function runDesktop(): void {
  // Reports print in a hidden window of this app (printToPDF) and are revealed in the system file manager.
  const core: AppCore = createLocalCore({
    mode: 'desktop',
    report: {
      renderer: createPrintToPdfRenderer({ reportPagePath: path.join(rendererDir(), 'report.html') }),
      reveal: shellReveal,
    },
  });
  const indexHtml = path.join(rendererDir(), 'index.html');
  const appUrl = pathToFileURL(indexHtml).href;
  const preloadPath = path.join(__dirname, 'preload.cjs');
  /** webContents ids of our own windows: the only IPC senders we answer. */
  const ownWebContents = new Set<number>();
  let mainWindow: BrowserWindow | null = null;
  let disposeIpc: (() => void) | null = null;

  const openExternal = (url: string): Promise<void> => shell.openExternal(url);

  // Guards go on every webContents the app ever creates, not only ours (Podman Desktop does the same).
  app.on('web-contents-created', (_event, contents) => {
    applyWindowGuards(contents, { appUrl, openExternal });
  });

  const createWindow = (): void => {
    const window = new BrowserWindow(mainWindowOptions(preloadPath, app.isPackaged));
    const { webContents } = window;
    const id = webContents.id;
    ownWebContents.add(id);
    // Created before loading so pushes that arrive while the page loads are queued, not lost.
    const disposePushes = createPushForwarder(core.pushes, webContents, {
      clientId: webContentsClientId(id),
    });
    // A closed window releases what it held (its syscall subscriptions).
    webContents.once('destroyed', () => core.clientClosed(webContentsClientId(id)));
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      ownWebContents.delete(id);
      disposePushes();
      if (mainWindow === window) mainWindow = null;
    });
    webContents.on('render-process-gone', (_event, details) => {
      console.error(`bulkhead: renderer process gone (${details.reason}, exit code ${details.exitCode})`);
    });
    mainWindow = window;
    window.loadFile(indexHtml).catch((e: unknown) => {
      console.error(`bulkhead: could not load ${indexHtml}: ${e instanceof Error ? e.message : String(e)}`);
    });
  };

  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Quit when the last window closes, except on macOS where apps stay in the dock until Cmd+Q.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });

  // Dispose the core before the process goes: hold the quit once, release everything, then quit for real.
  let coreDisposed = false;
  app.on('will-quit', (event) => {
    if (coreDisposed) return;
    event.preventDefault();
    disposeIpc?.();
    disposeIpc = null;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_TIMEOUT_MS).unref());
    Promise.race([core.dispose(), timeout])
      .catch((e: unknown) => console.error(`bulkhead: error while shutting down: ${String(e)}`))
      .finally(() => {
        coreDisposed = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(() => {
      applySessionGuards(session.defaultSession);
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, isPackaged: app.isPackaged })),
      );
      // Checklist #17: validate the sender of all IPC messages.
      disposeIpc = registerIpcHandlers(
        ipcMain,
        core.dispatch,
        (event) => isTrustedSender(event, { isOwnWebContents: (wcId) => ownWebContents.has(wcId), appUrl }),
        (event) => ({ id: webContentsClientId(event.sender.id) }),
      );
      core.start();
      createWindow();
    })
    .catch((e: unknown) => {
      console.error(`bulkhead: could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      app.quit();
    });
}
