import type { BulkheadBridge } from '../../shared/ipc/bridge.js';

declare global {
  interface Window {
    /** The typed bridge the Electron preload exposes; absent in browser mode. */
    readonly bulkhead?: BulkheadBridge;
  }
}

export {};
