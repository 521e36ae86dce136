import { REQUEST_CHANNELS } from '../../shared/ipc/contract.js';
import type { ClientRef, Dispatcher } from '../../shared/ipc/dispatch.js';
import { err, toErrorData } from '../../shared/ipc/result.js';
import type { Result } from '../../shared/ipc/result.js';
import type { PushEnvelope, PushSource } from '../services/app-core.js';
import { isAppUrl } from './security.js';

/**
 * The part of Electron's `ipcMain` the wiring uses.
 *
 * `E` is the invoke event type (Electron's `IpcMainInvokeEvent` in the app, a plain object in tests).
 */
export interface IpcMainLike<E> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/**
 * Answer every request channel of the contract through `dispatch`.
 *
 * A message from an untrusted sender is answered with `untrusted-sender` and never reaches the dispatcher
 * (Electron security checklist #17: validate the sender of all IPC messages). The payload is passed on
 * untouched: the dispatcher validates it against the channel's zod schema. `clientOf` names the sender
 * (`wc-<webContents id>`, see {@link webContentsClientId}) so per-client resources can be released when
 * its window goes. Returns the function that removes every handler again.
 */
export function registerIpcHandlers<E>(
  ipcMain: IpcMainLike<E>,
  dispatch: Dispatcher,
  isTrustedSender: (event: E) => boolean,
  clientOf?: (event: E) => ClientRef,
): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return err('untrusted-sender', `${channel}: the sender is not a Bulkhead window`);
      }
      try {
        return await dispatch(channel, args[0], clientOf?.(event));
      } catch (e) {
        // The dispatcher answers with Results; this only catches a bug, so the renderer still gets data.
        return { ok: false, error: toErrorData(e) };
      }
    });
  }
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** The client id of a window's webContents, as the dispatcher and `AppCore.clientClosed` hear it. */
export function webContentsClientId(webContentsId: number): string {
  return `wc-${webContentsId}`;
}

/** The parts of an IPC invoke event the sender check reads (a subset of Electron's `IpcMainInvokeEvent`). */
export interface SenderEvent {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/** What a sender is checked against. */
export interface TrustedSenderOptions {
  /** Whether the webContents with this id belongs to one of Bulkhead's own windows. */
  readonly isOwnWebContents: (id: number) => boolean;
  /** The URL of the app's document (the file:// URL of dist/renderer/index.html). */
  readonly appUrl: string;
}

/**
 * Whether an IPC message comes from one of our windows, from its main frame, showing the app's own page.
 *
 * GitHub Desktop's trusted-sender idea: a webContents we did not create, an iframe, or a page that
 * navigated elsewhere cannot use the API.
 */
export function isTrustedSender(event: SenderEvent, options: TrustedSenderOptions): boolean {
  if (!options.isOwnWebContents(event.sender.id)) return false;
  const frame = event.senderFrame;
  // A null frame has navigated away or been destroyed since it sent the message.
  if (frame === null) return false;
  // Only the top-level document; sub-frames (there should be none: CSP frame-src 'none') are refused.
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url, options.appUrl);
}

/** The part of a WebContents the push forwarder uses (a subset of Electron's `WebContents`). */
export interface PushTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
  once(event: 'did-finish-load', listener: () => void): unknown;
}

/** Options of {@link createPushForwarder}. */
export interface PushForwarderOptions {
  /** Most pushes held while the renderer loads; older ones are dropped first. */
  readonly maxQueued?: number;
  /** Where drops are reported; defaults to console.warn. */
  readonly log?: (line: string) => void;
  /** This window's client id: pushes addressed to another client are not forwarded. */
  readonly clientId?: string;
}

/** Default bound of the queue held while the renderer loads. */
export const DEFAULT_MAX_QUEUED_PUSHES = 256;

/**
 * Forward every push of the engine to one window (pushes addressed to another client excepted).
 *
 * Create it before the window loads: pushes that arrive before `did-finish-load` are queued (bounded, the
 * oldest dropped with a count) and flushed in order once the page can listen. Pushes to a destroyed
 * webContents are dropped, reported with one log line, and the forwarder stops listening. Returns dispose.
 */
export function createPushForwarder(
  pushes: PushSource,
  target: PushTarget,
  options: PushForwarderOptions = {},
): () => void {
  const maxQueued = Math.max(1, options.maxQueued ?? DEFAULT_MAX_QUEUED_PUSHES);
  const log = options.log ?? ((line: string) => console.warn(line));
  let queue: PushEnvelope[] = [];
  let droppedWhileLoading = 0;
  let ready = false;
  let disposed = false;

  const send = (push: PushEnvelope): void => {
    if (target.isDestroyed()) {
      log(`bulkhead: window is gone; dropping ${push.channel} and every later push to it`);
      dispose();
      return;
    }
    try {
      target.send(push.channel, push.payload);
    } catch (e) {
      // The webContents can be destroyed between the check and the send.
      log(`bulkhead: could not deliver ${push.channel}: ${e instanceof Error ? e.message : String(e)}`);
      dispose();
    }
  };

  const unsubscribe = pushes.subscribe((push) => {
    if (disposed) return;
    if (push.to !== undefined && push.to !== options.clientId) return;
    if (ready) {
      send(push);
      return;
    }
    queue.push(push);
    if (queue.length > maxQueued) {
      queue.shift();
      droppedWhileLoading += 1;
    }
  });

  target.once('did-finish-load', () => {
    if (disposed) return;
    ready = true;
    if (droppedWhileLoading > 0) {
      log(`bulkhead: dropped ${droppedWhileLoading} push(es) queued before the window was ready`);
    }
    const pending = queue;
    queue = [];
    droppedWhileLoading = 0;
    for (const push of pending) {
      if (disposed) return;
      send(push);
    }
  });

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    queue = [];
    unsubscribe();
  }
  return dispose;
}
