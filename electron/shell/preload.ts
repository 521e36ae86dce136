import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';

import { BRIDGE_GLOBAL } from '../../shared/ipc/bridge.js';
import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { isPushChannel, isRequestChannel } from '../../shared/ipc/contract.js';
import type { PushChannel, PushOf, RequestChannel, ResponseOf } from '../../shared/ipc/contract.js';
import type { ErrorCode, Result } from '../../shared/ipc/result.js';

// The preload runs sandboxed: it can require nothing but 'electron', so it is bundled into one file. It imports
// only the contract's channel checks and the bridge's name (neither file imports anything at run time; no zod).
// It exposes the named bridge and nothing else — never ipcRenderer, process or env (Electron security
// checklist #20: do not expose Electron APIs to untrusted web content). Payloads are validated in main.

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

/**
 * The bridge over IPC.
 *
 * `invoke` refuses channels outside the contract and turns transport failures into failed Results (it never
 * throws); `on` refuses non-push channels and hands listeners only the payload, never the IPC event (which
 * would carry `sender`, i.e. ipcRenderer itself).
 */
export function createPreloadBridge(ipc: IpcRendererLike): BulkheadBridge {
  const invoke = async <C extends RequestChannel>(
    channel: C,
    request: unknown,
  ): Promise<Result<ResponseOf<C>>> => {
    if (!isRequestChannel(channel)) {
      return failed('unknown-channel', `unknown channel ${JSON.stringify(String(channel).slice(0, 64))}`);
    }
    try {
      return (await ipc.invoke(channel, request)) as Result<ResponseOf<C>>;
    } catch (e) {
      // E.g. a payload that cannot be structured-cloned, or the main process going away mid-call.
      return failed('transport-closed', `${channel}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const on = <P extends PushChannel>(channel: P, listener: (payload: PushOf<P>) => void): (() => void) => {
    if (!isPushChannel(channel) || typeof listener !== 'function') {
      console.warn(`bulkhead: refusing to listen to ${JSON.stringify(String(channel).slice(0, 64))}`);
      return () => undefined;
    }
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as PushOf<P>);
    ipc.on(channel, wrapped);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, wrapped);
    };
  };

  return Object.freeze({ invoke, on });
}

function failed<T>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createPreloadBridge(ipcRenderer));
