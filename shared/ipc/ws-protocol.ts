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

// The constants live in a zod-free module so the renderer can import them without the schemas.
export { MAX_CLIENT_FRAME_BYTES, TOKEN_PARAM, WS_PATH } from './ws-constants.js';
