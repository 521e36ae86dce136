import { z } from 'zod';

/**
 * Frames of the browser-mode WebSocket transport.
 *
 * client → server: `{ t: 'req', id, channel, payload }`; server → client: `{ t: 'res', id, result }` or
 * `{ t: 'push', channel, payload }`. The server validates every client frame with `clientFrameSchema`, then
 * the payload with the request schema of its channel.
 */
export const clientFrameSchema = z.strictObject({
  t: z.literal('req'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(64),
  payload: z.unknown(),
});
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ServerFrame =
  | { readonly t: 'res'; readonly id: number; readonly result: unknown }
  | { readonly t: 'push'; readonly channel: string; readonly payload: unknown };

/** Largest client frame the server accepts, in bytes. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

/** Path of the WebSocket endpoint on the browser-mode server. */
export const WS_PATH = '/api';

/** Query parameter and cookie that carry the browser-mode token. */
export const TOKEN_PARAM = 'token';
