import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';

import { secureWebPreferences } from './security.js';

/** Background painted before the renderer's first frame (matches the dashboard's dark surface). */
export const WINDOW_BACKGROUND = '#0f1216';

/**
 * Options of the main window.
 *
 * Hidden until `ready-to-show`, so the user never sees a white flash; DevTools exist only in unpackaged
 * (development) runs.
 */
export function mainWindowOptions(preloadPath: string, isPackaged: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Bulkhead',
    backgroundColor: WINDOW_BACKGROUND,
    webPreferences: { ...secureWebPreferences(preloadPath), devTools: !isPackaged },
  };
}

/**
 * The application menu: standard roles only; View → Toggle Developer Tools exists only in unpackaged runs.
 *
 * Roles are handled by Electron itself; no item runs app code, so the menu adds no attack surface.
 */
export function buildMenuTemplate(options: {
  readonly platform: NodeJS.Platform;
  readonly isPackaged: boolean;
}): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push({ role: 'fileMenu' }, { role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [{ role: 'reload' }];
  if (!options.isPackaged) view.push({ role: 'toggleDevTools' });
  view.push({ type: 'separator' });
  view.push({ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' });
  view.push({ role: 'togglefullscreen' });
  template.push({ label: 'View', submenu: view }, { role: 'windowMenu' });
  return template;
}
