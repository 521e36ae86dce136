import { beforeEach, describe, expect, it, vi } from 'vitest';

import { BRIDGE_GLOBAL } from '../../../shared/ipc/bridge.js';
import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { PushChannel } from '../../../shared/ipc/contract.js';

// The preload is Electron-only code; 'electron' is replaced by recording stand-ins (the real module would try
// to download the Electron binary). Everything else in the preload runs for real.
const electron = vi.hoisted(() => ({
  exposed: [] as { name: string; api: unknown }[],
  invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
  on: vi.fn<(channel: string, listener: (...args: unknown[]) => void) => void>(),
  removeListener: vi.fn<(channel: string, listener: (...args: unknown[]) => void) => void>(),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (name: string, api: unknown) => electron.exposed.push({ name, api }),
  },
  ipcRenderer: { invoke: electron.invoke, on: electron.on, removeListener: electron.removeListener },
}));

await import('../../../electron/shell/preload.js');

function bridge(): BulkheadBridge {
  const [entry] = electron.exposed;
  if (entry === undefined) throw new Error('nothing exposed');
  return entry.api as BulkheadBridge;
}

beforeEach(() => {
  electron.invoke.mockReset();
  electron.on.mockReset();
  electron.removeListener.mockReset();
});

describe('preload', () => {
  it('exposes exactly one global, named bulkhead, with only invoke and on', () => {
    expect(electron.exposed).toHaveLength(1);
    expect(electron.exposed[0]?.name).toBe(BRIDGE_GLOBAL);
    expect(BRIDGE_GLOBAL).toBe('bulkhead');
    const api = bridge() as unknown as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.on).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('invoke refuses channels outside the contract without touching IPC, and never throws', async () => {
    const b = bridge();
    for (const channel of [
      'shell:exec',
      'containers:list ',
      '',
      42,
      null,
      { toString: () => 'app:describe' },
    ]) {
      const result = await b.invoke(channel as 'app:describe', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
    expect(electron.invoke).not.toHaveBeenCalled();
  });

  it('invoke forwards contract channels to ipcRenderer.invoke and returns the Result from main', async () => {
    const answer = { ok: true, value: { version: '1.0.0' } };
    electron.invoke.mockResolvedValueOnce(answer);
    await expect(bridge().invoke('app:describe', {})).resolves.toBe(answer);
    expect(electron.invoke).toHaveBeenCalledWith('app:describe', {});
  });

  it('invoke turns a transport failure into a failed Result', async () => {
    electron.invoke.mockRejectedValueOnce(new Error('An object could not be cloned.'));
    await expect(bridge().invoke('containers:list', {})).resolves.toEqual({
      ok: false,
      error: { code: 'transport-closed', message: 'containers:list: An object could not be cloned.' },
    });
  });

  it('on refuses non-push channels', () => {
    const b = bridge();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const channel of ['app:describe', 'ipc-message', 'engine:states']) {
      const off = b.on(channel as PushChannel, () => undefined);
      expect(typeof off).toBe('function');
      off();
    }
    expect(electron.on).not.toHaveBeenCalled();
    expect(electron.removeListener).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('on hands the listener only the payload, never the IPC event, and unsubscribes the same function', () => {
    const received: unknown[][] = [];
    const off = bridge().on('containers:changed', (...args: unknown[]) => received.push(args));

    expect(electron.on).toHaveBeenCalledTimes(1);
    const [channel, wrapped] = electron.on.mock.calls[0] ?? [];
    expect(channel).toBe('containers:changed');
    const ipcEvent = { sender: { send: () => undefined }, senderId: 0, ports: [] };
    wrapped?.(ipcEvent, { ids: 'all' });
    expect(received).toEqual([[{ ids: 'all' }]]);

    off();
    off();
    expect(electron.removeListener).toHaveBeenCalledTimes(1);
    expect(electron.removeListener).toHaveBeenCalledWith('containers:changed', wrapped);
  });
});
