import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it, vi } from 'vitest';

import {
  CONTENT_SECURITY_POLICY,
  EXTERNAL_HOST_ALLOW_LIST,
  applySessionGuards,
  applyWindowGuards,
  isAllowedExternalUrl,
  isAppUrl,
  secureWebPreferences,
  withContentSecurityPolicy,
} from '../../../electron/shell/security.js';
import type { GuardableSession, GuardableWebContents } from '../../../electron/shell/security.js';

const APP_URL = 'file:///opt/bulkhead/dist/renderer/index.html';

type Listener = (...args: never[]) => void;

/** Records listeners by event name, like an EventEmitter, and lets the test fire them. */
class Emitter {
  readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  fire(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }
}

class FakeWebContents extends Emitter implements GuardableWebContents {
  openHandler: ((details: { readonly url: string }) => { action: 'deny' }) | undefined;

  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }

  /** Fire a navigation event; true when a guard prevented it. */
  navigate(kind: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.fire(kind, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

function guarded(openExternal = vi.fn((_url: string) => Promise.resolve())) {
  const wc = new FakeWebContents();
  const logs: string[] = [];
  applyWindowGuards(wc, { appUrl: APP_URL, openExternal, log: (l) => logs.push(l) });
  return { wc, openExternal, logs };
}

describe('secureWebPreferences', () => {
  it('spells out every secure default', () => {
    expect(secureWebPreferences('/app/dist/electron/preload.cjs')).toEqual({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    });
  });
});

describe('applyWindowGuards', () => {
  it.each(['will-navigate', 'will-redirect'] as const)(
    '%s: stays on the app, refuses everything else',
    (kind) => {
      const { wc, logs } = guarded();
      expect(wc.navigate(kind, APP_URL)).toBe(false);
      expect(wc.navigate(kind, `${APP_URL}#/containers/abc`)).toBe(false);
      expect(wc.navigate(kind, 'https://evil.example/')).toBe(true);
      expect(wc.navigate(kind, 'file:///etc/passwd')).toBe(true);
      expect(wc.navigate(kind, 'file:///opt/bulkhead/dist/renderer/other.html')).toBe(true);
      expect(wc.navigate(kind, 'javascript:alert(1)')).toBe(true);
      expect(wc.navigate(kind, 'not a url')).toBe(true);
      expect(logs).toHaveLength(5);
    },
  );

  it('denies every window.open and opens only allow-listed https URLs externally', () => {
    const { wc, openExternal } = guarded();
    const open = (url: string) => wc.openHandler?.({ url });
    const allowed = [
      'https://docs.docker.com/engine/security/seccomp/',
      'https://osv.dev/vulnerability/GHSA-x',
    ];
    const refused = [
      'http://docs.docker.com/',
      'https://docs.docker.com.evil.example/',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      APP_URL,
    ];
    for (const url of [...allowed, ...refused]) expect(open(url)).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls.map(([url]) => url)).toEqual(allowed);
  });

  it('reports, without an unhandled rejection, when opening an external URL fails', async () => {
    const { wc, logs } = guarded(vi.fn(() => Promise.reject(new Error('no browser'))));
    expect(wc.openHandler?.({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    await vi.waitFor(() =>
      expect(logs.join('\n')).toMatch(/could not open https:\/\/github.com\/: Error: no browser/),
    );
  });

  it('refuses to attach any <webview>', () => {
    const { wc } = guarded();
    const preventDefault = vi.fn();
    wc.fire(
      'will-attach-webview',
      { preventDefault },
      { nodeIntegration: true },
      { src: 'https://evil.example' },
    );
    expect(preventDefault).toHaveBeenCalledTimes(1);
  });
});

describe('isAllowedExternalUrl / isAppUrl', () => {
  it('matches hosts of the allow-list exactly', () => {
    for (const host of EXTERNAL_HOST_ALLOW_LIST) {
      expect(isAllowedExternalUrl(`https://${host}/x`)).toBe(true);
      expect(isAllowedExternalUrl(`https://${host}.attacker.example/x`)).toBe(false);
      expect(isAllowedExternalUrl(`https://sub.${host}/x`)).toBe(false);
    }
  });

  it.each([
    ['http://127.0.0.1:5173/', 'http://127.0.0.1:5173/index.html', true],
    ['http://127.0.0.1:5174/', 'http://127.0.0.1:5173/index.html', false],
    ['https://127.0.0.1:5173/', 'http://127.0.0.1:5173/index.html', false],
    [`${APP_URL}?x=1`, APP_URL, true],
    ['file://otherhost/opt/bulkhead/dist/renderer/index.html', APP_URL, false],
    ['file:///opt/bulkhead/dist/renderer/../renderer/index.html', APP_URL, true],
    ['about:blank', APP_URL, false],
    [APP_URL, 'about:blank', false],
  ])('isAppUrl(%s, %s) → %s', (url, app, expected) => {
    expect(isAppUrl(url, app)).toBe(expected);
  });
});

/** A session stand-in that keeps the handlers the guards install. */
class FakeSession extends Emitter implements GuardableSession {
  request: Parameters<GuardableSession['setPermissionRequestHandler']>[0] = null;
  check: Parameters<GuardableSession['setPermissionCheckHandler']>[0] = null;
  device: Parameters<GuardableSession['setDevicePermissionHandler']>[0] = null;
  headers: Parameters<GuardableSession['webRequest']['onHeadersReceived']>[0] = null;

  readonly webRequest = {
    onHeadersReceived: (listener: Parameters<GuardableSession['webRequest']['onHeadersReceived']>[0]) => {
      this.headers = listener;
    },
  } as GuardableSession['webRequest'];

  setPermissionRequestHandler(handler: Parameters<GuardableSession['setPermissionRequestHandler']>[0]): void {
    this.request = handler;
  }

  setPermissionCheckHandler(handler: Parameters<GuardableSession['setPermissionCheckHandler']>[0]): void {
    this.check = handler;
  }

  setDevicePermissionHandler(handler: Parameters<GuardableSession['setDevicePermissionHandler']>[0]): void {
    this.device = handler;
  }
}

const PERMISSIONS = [
  'media',
  'notifications',
  'geolocation',
  'clipboard-read',
  'openExternal',
  'hid',
  'serial',
  'usb',
] as const;

describe('applySessionGuards', () => {
  it('denies every permission request and check, and every device', () => {
    const ses = new FakeSession();
    applySessionGuards(ses);
    for (const permission of PERMISSIONS) {
      const callback = vi.fn();
      type Args = Parameters<NonNullable<FakeSession['request']>>;
      ses.request?.({} as Args[0], permission, callback, {} as Args[3]);
      expect(callback).toHaveBeenCalledWith(false);
      type CheckArgs = Parameters<NonNullable<FakeSession['check']>>;
      expect(ses.check?.(null, permission, 'file://', {} as CheckArgs[3])).toBe(false);
    }
    type DeviceArgs = Parameters<NonNullable<FakeSession['device']>>;
    expect(ses.device?.({ deviceType: 'usb', origin: 'file://' } as DeviceArgs[0])).toBe(false);
  });

  it('cancels HID, serial and USB device choosers', () => {
    const ses = new FakeSession();
    applySessionGuards(ses);
    const hid = { preventDefault: vi.fn(), callback: vi.fn() };
    ses.fire(
      'select-hid-device',
      { preventDefault: hid.preventDefault },
      { deviceList: [{ deviceId: 'x' }] },
      hid.callback,
    );
    expect(hid.preventDefault).toHaveBeenCalled();
    expect(hid.callback).toHaveBeenCalledWith();
    const serial = { preventDefault: vi.fn(), callback: vi.fn() };
    ses.fire(
      'select-serial-port',
      { preventDefault: serial.preventDefault },
      [{ portId: 'p' }],
      {},
      serial.callback,
    );
    expect(serial.callback).toHaveBeenCalledWith('');
    const usb = { preventDefault: vi.fn(), callback: vi.fn() };
    ses.fire(
      'select-usb-device',
      { preventDefault: usb.preventDefault },
      { deviceList: [{ deviceId: 'u' }] },
      usb.callback,
    );
    expect(usb.callback).toHaveBeenCalledWith();
  });

  it('adds the CSP header to http(s) responses, keeps a policy the server sent, leaves file: alone', () => {
    const ses = new FakeSession();
    applySessionGuards(ses);
    type Details = Parameters<NonNullable<FakeSession['headers']>>[0];
    const respond = (url: string, responseHeaders?: Record<string, string[]>) => {
      const callback = vi.fn();
      ses.headers?.({ url, responseHeaders } as Details, callback);
      return callback.mock.calls[0]?.[0] as unknown;
    };
    expect(respond('http://127.0.0.1:5173/', { 'Content-Type': ['text/html'] })).toEqual({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
    expect(respond('https://example.org/', { 'content-security-policy': ["default-src 'none'"] })).toEqual({
      responseHeaders: { 'content-security-policy': ["default-src 'none'", CONTENT_SECURITY_POLICY] },
    });
    expect(respond('https://example.org/')).toEqual({
      responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
    expect(respond(APP_URL, {})).toEqual({});
  });

  it('the header policy locks scripts and objects to the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    const input = { a: ['1'] };
    withContentSecurityPolicy(input);
    expect(input).toEqual({ a: ['1'] });
  });

  it('the header carries every directive of the renderer meta-tag policy, unchanged', () => {
    const html = readFileSync(
      join(resolve(import.meta.dirname, '..', '..', '..'), 'renderer', 'index.html'),
      'utf8',
    );
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const directives = (policy: string) =>
      new Map(
        policy
          .split(';')
          .map((d) => d.trim())
          .filter((d) => d !== '')
          .map((d) => [d.split(/\s+/)[0] ?? '', d] as const),
      );
    const header = directives(CONTENT_SECURITY_POLICY);
    for (const [name, directive] of directives(meta ?? '')) expect(header.get(name)).toBe(directive);
  });
});
