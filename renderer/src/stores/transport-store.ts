import { create } from 'zustand';

import type { TransportView } from '../state/transport.js';

/** How the renderer reaches the engine (IPC, or the browser-mode WebSocket and its state). */
export const useTransportStore = create<{ readonly view: TransportView }>()(() => ({
  view: { kind: 'ipc' },
}));
