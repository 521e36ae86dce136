import type { Session, WebPreferences } from 'electron';

// Secure defaults, written down once (Podman Desktop keeps the same idea in security-restrictions.ts). Every
// guard names the item of the Electron security checklist it implements:
// https://www.electronjs.org/docs/latest/tutorial/security#checklist-security-recommendations

/**
 * The web preferences of every Bulkhead window.
 *
 * Most values are Electron's defaults; they are spelled out so a later change to a default (or a careless
 * edit) cannot loosen them silently. The preload is the only bridge to the main process; `null` gives a
 * window none.
 */
export function secureWebPreferences(preloadPath: string | null): WebPreferences {
  return {
    // No preload at all for a window that needs no bridge (the report window).
    ...(preloadPath !== null ? { preload: preloadPath } : {}),
    // Checklist #3: enable context isolation — page scripts never share globals with the preload.
    contextIsolation: true,
    // Checklist #4: enable process sandboxing — the renderer is an OS-sandboxed Chromium process.
    sandbox: true,
    // Checklist #2: do not enable Node.js integration (not in the page, in workers, or in sub-frames).
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Checklist #6: do not disable webSecurity (keeps the same-origin policy).
    webSecurity: true,
    // Checklist #8: do not enable allowRunningInsecureContent (no http content inside an https page).
    allowRunningInsecureContent: false,
    // Checklist #11/#12: no <webview> at all, so no webview can be created with weaker preferences.
    webviewTag: false,
    // Checklist #9: do not enable experimental Chromium features.
    experimentalFeatures: false,
    // The spellchecker would download dictionaries from a Google CDN; the app has no free-text input worth it.
    spellcheck: false,
    // Checklist #13: dropping a file or link on the window must not navigate away from the app.
    navigateOnDragDrop: false,
    // A page cannot lock the user in with an endless series of alert() dialogs.
    safeDialogs: true,
  };
}

/**
 * Hosts whose https links may be opened in the user's browser (docs, advisories, benchmarks).
 *
 * Matched exactly, never as a suffix: `docs.docker.com.evil.example` is refused.
 */
export const EXTERNAL_HOST_ALLOW_LIST: readonly string[] = [
  'docs.docker.com',
  'github.com',
  'www.cisecurity.org',
  'cisecurity.org',
  'osv.dev',
  'nvd.nist.gov',
  'man7.org',
];

/**
 * Whether `url` may be handed to the OS to open in the user's browser.
 *
 * Only https, only allow-listed hosts, no credentials and no custom port (Checklist #15: do not use
 * `shell.openExternal` with untrusted content).
 */
export function isAllowedExternalUrl(url: string): boolean {
  const parsed = parseUrl(url);
  if (parsed === undefined) return false;
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    EXTERNAL_HOST_ALLOW_LIST.includes(parsed.hostname)
  );
}

/**
 * Whether `url` is the app's own document.
 *
 * For `file:` the app is one document: the path must match exactly (query and hash may differ, as in a
 * hash-routed SPA). For `http(s):` (a dev server) the origin must match. Anything else is foreign.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  const target = parseUrl(url);
  const app = parseUrl(appUrl);
  if (target === undefined || app === undefined || target.protocol !== app.protocol) return false;
  switch (app.protocol) {
    case 'file:':
      return target.host === app.host && target.pathname === app.pathname;
    case 'http:':
    case 'https:':
      return target.origin === app.origin;
    default:
      return false;
  }
}

/** An event whose default action can be cancelled (a subset of Electron's `Event`). */
export interface PreventableEvent {
  preventDefault(): void;
}

/** A navigation event: `will-navigate` / `will-redirect` carry the target URL on the event itself. */
export interface NavigationEvent extends PreventableEvent {
  readonly url: string;
}

/**
 * The part of a WebContents the window guards touch.
 *
 * A structural subset of Electron's `WebContents`, so tests can pass a fake.
 */
export interface GuardableWebContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
}

/** Options of {@link applyWindowGuards}. */
export interface WindowGuardOptions {
  /** The URL the window loaded (its own document). */
  readonly appUrl: string;
  /** Opens a URL in the user's browser (`shell.openExternal`); only called for allow-listed https URLs. */
  readonly openExternal: (url: string) => Promise<void>;
  /** Where refusals are reported; defaults to console.warn. */
  readonly log?: (line: string) => void;
}

/**
 * Lock a window to the app's own document.
 *
 * Navigation and redirects away from the app are cancelled, new windows are never created (allow-listed
 * https links go to the user's browser instead), and `<webview>` elements are never attached.
 */
export function applyWindowGuards(webContents: GuardableWebContents, options: WindowGuardOptions): void {
  const log = options.log ?? ((line: string) => console.warn(line));

  // Checklist #13: disable or limit navigation — the window only ever shows the app's own document.
  const refuseForeignNavigation = (kind: string) => (event: NavigationEvent) => {
    if (isAppUrl(event.url, options.appUrl)) return;
    event.preventDefault();
    log(`bulkhead: blocked ${kind} to ${truncate(event.url)}`);
  };
  webContents.on('will-navigate', refuseForeignNavigation('navigation'));
  // Checklist #13 (server redirects are navigations too).
  webContents.on('will-redirect', refuseForeignNavigation('redirect'));

  // Checklist #14: disable the creation of new windows. Checklist #15: only allow-listed https URLs reach
  // shell.openExternal, everything else is dropped.
  webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) {
      options
        .openExternal(url)
        .catch((e: unknown) => log(`bulkhead: could not open ${truncate(url)}: ${String(e)}`));
    } else {
      log(`bulkhead: blocked window.open of ${truncate(url)}`);
    }
    return { action: 'deny' };
  });

  // Checklist #12: verify <webview> options before creation — we never create one, so refuse them all
  // (webviewTag is also off in secureWebPreferences).
  webContents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('bulkhead: blocked a <webview>');
  });
}

/**
 * The Content-Security-Policy the app runs under.
 *
 * The renderer's index.html carries the same directives in a meta tag (a `file:` page gets no headers); the
 * header adds a few that tighten further (frame-ancestors only works in a header) and covers anything loaded
 * over http(s) as defence in depth. A unit test keeps the two in step.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The part of a Session the session guards touch.
 *
 * A structural subset of Electron's `Session`, so tests can pass a fake.
 */
export type GuardableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
> & {
  readonly webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
  on(
    event: 'select-hid-device',
    listener: (
      event: PreventableEvent,
      details: unknown,
      callback: (deviceId?: string | null) => void,
    ) => void,
  ): unknown;
  on(
    event: 'select-serial-port',
    listener: (
      event: PreventableEvent,
      ports: unknown,
      wc: unknown,
      callback: (portId: string) => void,
    ) => void,
  ): unknown;
  on(
    event: 'select-usb-device',
    listener: (event: PreventableEvent, details: unknown, callback: (deviceId?: string) => void) => void,
  ): unknown;
};

/**
 * Deny every permission in a session and add a CSP header to every http(s) response.
 *
 * Bulkhead needs no camera, notifications, geolocation, clipboard-read or device access; nothing the page asks
 * for is granted.
 */
export function applySessionGuards(session: GuardableSession): void {
  // Checklist #5: handle session permission requests — every request is denied.
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  // Checklist #5: permission checks (e.g. navigator.permissions.query) also answer "denied".
  session.setPermissionCheckHandler(() => false);
  // Checklist #5: no HID, serial or USB device is ever pre-granted (Web HID / Web Serial / WebUSB) ...
  session.setDevicePermissionHandler(() => false);
  // ... and a device chooser, should a page open one, is cancelled instead of picking a device.
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });

  // Checklist #7: define a Content-Security-Policy — also as a header on every http(s) response, in case
  // anything is ever loaded over http(s) (the meta tag in index.html covers the file: page). A policy the
  // server sent is kept: several policies are all enforced, so ours can only tighten.
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!/^https?:/i.test(details.url)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders ?? {}) });
  });
}

/** Response headers with Bulkhead's CSP added to whatever policy the response already carries. */
export function withContentSecurityPolicy(headers: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let cspKey = 'Content-Security-Policy';
  for (const [name, value] of Object.entries(headers)) {
    out[name] = [...value];
    if (name.toLowerCase() === 'content-security-policy') cspKey = name;
  }
  out[cspKey] = [...(out[cspKey] ?? []), CONTENT_SECURITY_POLICY];
  return out;
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
