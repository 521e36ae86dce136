/**
 * Constants of the browser-mode WebSocket transport, without zod.
 *
 * Split from ws-protocol.ts so the renderer bundle can use them without pulling in the frame schemas (and
 * zod with them); ws-protocol.ts re-exports them.
 */

/** Largest client frame the server accepts, in bytes. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

/** Path of the WebSocket endpoint on the browser-mode server. */
export const WS_PATH = '/api';

/** Query parameter and cookie that carry the browser-mode token. */
export const TOKEN_PARAM = 'token';
