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

/** The in-memory session partition of the report window (its own, so its request filter touches nothing else). */
export const REPORT_PARTITION = 'bulkhead-report';

/**
 * Options of the hidden window a report is printed in: the same secure preferences as the main window but
 * no preload (the page needs no bridge: the report is handed to it by executeJavaScript), no DevTools, its
 * own in-memory session, an A4-wide viewport, and never shown.
 */
export function reportWindowOptions(): BrowserWindowConstructorOptions {
  return {
    width: 794,
    height: 1123,
    show: false,
    title: 'Bulkhead report',
    webPreferences: {
      ...secureWebPreferences(null),
      devTools: false,
      partition: REPORT_PARTITION,
      // A hidden window must still lay out and paint the document it is asked to print.
      backgroundThrottling: false,
    },
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
