import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { createWebSocketBridge } from '../../shared/ipc/ws-client.js';
import type { TransportState } from '../../shared/ipc/ws-client.js';
import { TOKEN_PARAM, WS_PATH } from '../../shared/ipc/ws-constants.js';

/** The bridge the renderer talks through, and which transport carries it. */
export type RendererBridge =
  | { readonly kind: 'ipc'; readonly bridge: BulkheadBridge }
  | { readonly kind: 'websocket'; readonly bridge: BulkheadBridge; readonly close: () => void };

/**
 * The WebSocket URL of browser mode, derived from the page's own location.
 *
 * The token comes from the page URL (`?token=`); without it the server falls back to its HttpOnly cookie.
 */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM);
  const query = token === null || token === '' ? '' : `?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  return `${scheme}//${location.host}${WS_PATH}${query}`;
}

/** Whether the Electron preload exposed `window.bulkhead` (desktop mode) rather than browser mode. */
export function hasPreloadBridge(): boolean {
  return window.bulkhead !== undefined;
}

/**
 * Choose the bridge: `window.bulkhead` from the Electron preload if present, else a WebSocket to the
 * browser-mode server this page was loaded from.
 */
export function createRendererBridge(onTransportState: (state: TransportState) => void): RendererBridge {
  const exposed = window.bulkhead;
  if (exposed !== undefined) return { kind: 'ipc', bridge: exposed };
  const ws = createWebSocketBridge(webSocketUrl(window.location), {
    WebSocket: window.WebSocket,
    onTransportState,
    log: (line) => console.warn(`[bulkhead] ${line}`),
  });
  return { kind: 'websocket', bridge: ws, close: () => ws.close() };
}
