import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';

import { secureWebPreferences } from '../../../electron/shell/security.js';
import {
  REPORT_PARTITION,
  buildMenuTemplate,
  mainWindowOptions,
  reportWindowOptions,
} from '../../../electron/shell/window.js';

/** Every role in a menu template, depth first. */
function roles(items: readonly MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role === undefined ? [] : [item.role]),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

describe('mainWindowOptions', () => {
  it('is a 1440×900 window titled Bulkhead, hidden until ready, with the secure preferences', () => {
    const options = mainWindowOptions('/app/dist/electron/preload.cjs', true);
    expect(options).toMatchObject({ width: 1440, height: 900, show: false, title: 'Bulkhead' });
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(options.webPreferences).toEqual({
      ...secureWebPreferences('/app/dist/electron/preload.cjs'),
      devTools: false,
    });
    expect(mainWindowOptions('/p', false).webPreferences?.devTools).toBe(true);
  });
});

describe('reportWindowOptions', () => {
  it('is a hidden A4-wide window with the secure preferences, no preload, no DevTools, its own session', () => {
    const options = reportWindowOptions();
    expect(options).toMatchObject({ width: 794, show: false });
    expect(options.webPreferences).toEqual({
      ...secureWebPreferences(null),
      devTools: false,
      partition: REPORT_PARTITION,
      backgroundThrottling: false,
    });
    expect(options.webPreferences).not.toHaveProperty('preload');
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    // In memory: the partition name has no `persist:` prefix.
    expect(REPORT_PARTITION.startsWith('persist:')).toBe(false);
  });
});

describe('buildMenuTemplate', () => {
  it('offers Toggle Developer Tools only when not packaged; Reload always', () => {
    const dev = roles(buildMenuTemplate({ platform: 'linux', isPackaged: false }));
    const packaged = roles(buildMenuTemplate({ platform: 'linux', isPackaged: true }));
    expect(dev).toContain('toggleDevTools');
    expect(packaged).not.toContain('toggleDevTools');
    expect(dev).toContain('reload');
    expect(packaged).toContain('reload');
  });

  it('uses standard roles only (no click handlers) and adds the app menu on macOS', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const template = buildMenuTemplate({ platform, isPackaged: false });
      const items = template.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? i.submenu : [])]);
      expect(items.every((i) => i.click === undefined)).toBe(true);
      expect(roles(template).includes('appMenu')).toBe(platform === 'darwin');
      expect(roles(template)).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'windowMenu']));
    }
  });
});
