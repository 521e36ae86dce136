import { describe, expect, it, vi } from 'vitest';

import { REQUEST_CHANNELS } from '../../../shared/ipc/contract.js';
import type { AppDescription } from '../../../shared/ipc/contract.js';
import type { Dispatcher } from '../../../shared/ipc/dispatch.js';
import type { Result } from '../../../shared/ipc/result.js';
import {
  createPushForwarder,
  isTrustedSender,
  registerIpcHandlers,
  webContentsClientId,
} from '../../../electron/shell/ipc.js';
import type { IpcMainLike, SenderEvent } from '../../../electron/shell/ipc.js';
import { createFakeCore } from '../../support/fake-core.js';

const APP_URL = 'file:///opt/bulkhead/dist/renderer/index.html';
const OUR_ID = 7;
const APP: AppDescription = {
  version: '0.0.0-test',
  mode: 'desktop',
  demoAvailable: false,
  showDemoWhenDisconnected: true,
};
const CONTAINER_ID = 'a'.repeat(64);

/** An ipcMain stand-in with Electron's rules: one handler per channel, removeHandler forgets it. */
class FakeIpcMain implements IpcMainLike<SenderEvent> {
  readonly handlers = new Map<string, (event: SenderEvent, ...args: unknown[]) => Promise<unknown>>();

  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What the renderer's `ipcRenderer.invoke(channel, payload)` would get back. */
  invoke(channel: string, event: SenderEvent, payload: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler(event, payload);
  }
}

function event(
  overrides: Partial<{ id: number; url: string; parent: unknown; frame: null }> = {},
): SenderEvent {
  return {
    sender: { id: overrides.id ?? OUR_ID },
    senderFrame:
      overrides.frame === null ? null : { url: overrides.url ?? APP_URL, parent: overrides.parent ?? null },
  };
}

const trusted = (e: SenderEvent): boolean =>
  isTrustedSender(e, { isOwnWebContents: (id) => id === OUR_ID, appUrl: APP_URL });

describe('registerIpcHandlers', () => {
  it('registers a handler for every request channel of the contract, and nothing else', () => {
    const ipc = new FakeIpcMain();
    registerIpcHandlers(ipc, createFakeCore().dispatch, trusted);
    expect([...ipc.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('answers an untrusted sender with untrusted-sender and never calls the dispatcher', async () => {
    const ipc = new FakeIpcMain();
    const dispatch = vi.fn<Dispatcher>();
    registerIpcHandlers(ipc, dispatch, trusted);
    for (const channel of REQUEST_CHANNELS) {
      const result = (await ipc.invoke(channel, event({ id: 99 }), {})) as Result<unknown>;
      expect(result).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    }
    const fromIframe = (await ipc.invoke('app:describe', event({ parent: {} }), {})) as Result<unknown>;
    expect(fromIframe).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('passes a trusted payload to the real dispatcher, which refuses malformed payloads with bad-request', async () => {
    const ipc = new FakeIpcMain();
    const core = createFakeCore({
      'app:describe': () => Promise.resolve(APP),
      'demo:configure': (r) =>
        Promise.resolve({ ...APP, showDemoWhenDisconnected: r.showDemoWhenDisconnected }),
    });
    registerIpcHandlers(ipc, core.dispatch, trusted);

    const shortId = (await ipc.invoke('containers:inspect', event(), { id: 'abc123' })) as Result<unknown>;
    expect(shortId).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const extraKey = (await ipc.invoke('demo:configure', event(), {
      showDemoWhenDisconnected: true,
      path: '/etc/passwd',
    })) as Result<unknown>;
    expect(extraKey).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const notAnObject = (await ipc.invoke('containers:list', event(), 'rm -rf /')) as Result<unknown>;
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    // None of the malformed requests reached a handler.
    expect(core.handled).toEqual([]);

    const good = (await ipc.invoke('demo:configure', event(), {
      showDemoWhenDisconnected: false,
    })) as Result<unknown>;
    expect(good).toEqual({ ok: true, value: { ...APP, showDemoWhenDisconnected: false } });
    const valid = (await ipc.invoke('containers:inspect', event(), { id: CONTAINER_ID })) as Result<unknown>;
    // The id passed validation and reached the (unfaked) handler.
    expect(valid).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(core.handled).toEqual([
      { channel: 'demo:configure', request: { showDemoWhenDisconnected: false } },
      { channel: 'containers:inspect', request: { id: CONTAINER_ID } },
    ]);
  });

  it("passes the sender's client id (wc-<webContents id>) to the dispatcher when asked to", async () => {
    const ipc = new FakeIpcMain();
    const core = createFakeCore({ 'app:describe': () => Promise.resolve(APP) });
    registerIpcHandlers(ipc, core.dispatch, trusted, (e) => ({ id: webContentsClientId(e.sender.id) }));
    await expect(ipc.invoke('app:describe', event(), {})).resolves.toEqual({ ok: true, value: APP });
    expect(core.handled).toEqual([{ channel: 'app:describe', request: {}, client: { id: `wc-${OUR_ID}` } }]);
    // Without clientOf the dispatcher hears no client (in-process callers).
    const plain = new FakeIpcMain();
    const other = createFakeCore({ 'app:describe': () => Promise.resolve(APP) });
    registerIpcHandlers(plain, other.dispatch, trusted);
    await plain.invoke('app:describe', event(), {});
    expect(other.handled[0]?.client).toBeUndefined();
  });

  it('forwards to a window only the pushes addressed to its client id, and every broadcast', () => {
    const core = createFakeCore();
    const sent: [string, unknown][] = [];
    let loaded: () => void = () => undefined;
    createPushForwarder(
      core.pushes,
      {
        isDestroyed: () => false,
        send: (channel, payload) => sent.push([channel, payload]),
        once: (_e, listener) => (loaded = listener),
      },
      { clientId: webContentsClientId(OUR_ID) },
    );
    loaded();
    core.emit('containers:changed', { ids: 'all' }, webContentsClientId(OUR_ID));
    core.emit('containers:changed', { ids: [] }, webContentsClientId(OUR_ID + 1));
    core.emit('containers:changed', { ids: 'all' });
    expect(sent).toEqual([
      ['containers:changed', { ids: 'all' }],
      ['containers:changed', { ids: 'all' }],
    ]);
  });

  it('turns a dispatcher that throws into a failed Result', async () => {
    const ipc = new FakeIpcMain();
    registerIpcHandlers(ipc, () => Promise.reject(new Error('boom')), trusted);
    await expect(ipc.invoke('app:describe', event(), {})).resolves.toEqual({
      ok: false,
      error: { code: 'internal', message: 'boom' },
    });
  });

  it('dispose removes every handler, once', async () => {
    const ipc = new FakeIpcMain();
    const removeHandler = vi.spyOn(ipc, 'removeHandler');
    const dispose = registerIpcHandlers(ipc, createFakeCore().dispatch, trusted);
    dispose();
    expect(ipc.handlers.size).toBe(0);
    dispose();
    expect(removeHandler).toHaveBeenCalledTimes(REQUEST_CHANNELS.length);
    await expect(ipc.invoke('app:describe', event(), {})).rejects.toThrow(/No handler/);
    // Registering again after dispose works (no leftover handler makes Electron throw).
    expect(() => registerIpcHandlers(ipc, createFakeCore().dispatch, trusted)).not.toThrow();
  });
});

describe('isTrustedSender', () => {
  it.each([
    ['our window, main frame, app page', event(), true],
    ['our window, app page with a hash route', event({ url: `${APP_URL}#/containers` }), true],
    ['a webContents we did not create', event({ id: 8 }), false],
    ['a frame that navigated away or was destroyed', event({ frame: null }), false],
    ['a sub-frame of our window', event({ parent: { url: APP_URL } }), false],
    ['our window showing a foreign https page', event({ url: 'https://evil.example/index.html' }), false],
    ['our window showing another local file', event({ url: 'file:///etc/passwd' }), false],
    [
      'another file next to the app page',
      event({ url: 'file:///opt/bulkhead/dist/renderer/other.html' }),
      false,
    ],
    ['a data: URL', event({ url: 'data:text/html,<script>1</script>' }), false],
  ])('%s → %s', (_name, e, expected) => {
    expect(trusted(e)).toBe(expected);
  });
});
