import type { TransportState } from '../../../shared/ipc/ws-client.js';

/**
 * How the renderer reaches the engine.
 *
 * In Electron the IPC bridge is always there. In browser mode the WebSocket can drop; `everOpen`
 * distinguishes the first connection ("connecting") from a lost one ("reconnecting").
 */
export type TransportView =
  | { readonly kind: 'ipc' }
  | { readonly kind: 'websocket'; readonly state: TransportState; readonly everOpen: boolean };

/** The view before the WebSocket has said anything. */
export const initialWebSocketView: TransportView = {
  kind: 'websocket',
  state: 'connecting',
  everOpen: false,
};

/** Apply a state change of the WebSocket transport. IPC has no transport states. */
export function applyTransportState(view: TransportView, state: TransportState): TransportView {
  if (view.kind === 'ipc') return view;
  return { kind: 'websocket', state, everOpen: view.everOpen || state === 'open' };
}

/** Whether requests can reach the engine now. */
export function isTransportUp(view: TransportView): boolean {
  return view.kind === 'ipc' || view.state === 'open';
}

/** Whether a transport that was up went down (the "reconnecting" case). */
export function isTransportLost(view: TransportView): boolean {
  return view.kind === 'websocket' && view.state !== 'open' && view.everOpen;
}
