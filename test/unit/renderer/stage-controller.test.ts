import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type {
  AppDescription,
  SyscallSourceInfo,
  SyscallSourceRequest,
} from '../../../shared/ipc/contract.js';
import type { Controller } from '../../../renderer/src/controller.js';
import { startStageController } from '../../../renderer/src/stage-controller.js';
import type { StageController } from '../../../renderer/src/stage-controller.js';
import { initialEngineViewState } from '../../../renderer/src/state/engine.js';
import { beginSubscribe, initialSyscallsState } from '../../../renderer/src/state/syscalls.js';
import type { SyscallsController } from '../../../renderer/src/syscalls-controller.js';
import { useEngineStore } from '../../../renderer/src/stores/engine-store.js';
import { useStageStore } from '../../../renderer/src/stores/stage-store.js';
import { useSyscallsStore } from '../../../renderer/src/stores/syscalls-store.js';
import { connected, disconnected, ms } from './fixtures.js';

// The stage controller over the real stores, with recording stand-ins for the app and syscall controllers.

const info = (kind: SyscallSourceInfo['kind'], label: string = kind): SyscallSourceInfo => ({
  kind,
  label,
  available: true,
  reason: null,
  sequence: false,
  note: '',
});
const app = (showDemoWhenDisconnected: boolean): AppDescription => ({
  version: '0',
  mode: 'browser',
  demoAvailable: true,
  showDemoWhenDisconnected,
});

let calls: string[];
let stage: StageController | undefined;

function start(): StageController {
  const controller: Controller = {
    setDemoVisible: (show) => void calls.push(`demo ${show}`),
    dispose: () => undefined,
  };
  const syscalls = {
    select: (r: SyscallSourceRequest | null) => {
      calls.push(`select ${r?.kind ?? 'none'}`);
      if (r !== null) useSyscallsStore.setState((s) => beginSubscribe(s, r).state);
    },
  } as unknown as SyscallsController;
  stage = startStageController(controller, syscalls);
  return stage;
}

const subscribe = (request: SyscallSourceRequest): void =>
  useSyscallsStore.setState((s) => beginSubscribe(s, request).state);
const state = (next: SourceState): void => useSyscallsStore.setState({ sourceState: next });

beforeEach(() => {
  calls = [];
  useEngineStore.setState(initialEngineViewState, true);
  useSyscallsStore.setState(
    { ...initialSyscallsState, sources: [info('bpf', 'eBPF (bpftrace), live'), info('lab-session')] },
    true,
  );
  useStageStore.setState({ sawEngine: false, trouble: null, switched: null }, true);
});
afterEach(() => stage?.dispose());

describe('stage controller', () => {
  it('hears the live source die, and switches to the recording and back', () => {
    const s = start();
    useEngineStore.setState({ connection: connected, app: app(true) });
    subscribe({ kind: 'bpf' });
    state({ phase: 'streaming', since: ms(0) });
    expect(s.notice()).toBeNull();
    state({
      phase: 'failed',
      since: ms(1),
      error: { code: 'bpftrace-failed', message: 'killed' },
      diagnostics: '',
    });
    expect(s.notice()).toMatchObject({ kind: 'lost', cause: 'source', canSwitch: true });
    expect(useStageStore.getState().trouble?.label).toBe('eBPF (bpftrace)');
    s.switchToRecording();
    expect(calls).toEqual(['select lab-session']);
    expect(useStageStore.getState().switched).toMatchObject({ from: { kind: 'bpf' }, cause: 'source' });
    expect(s.notice()).toMatchObject({ kind: 'back' });
    s.backToLive();
    expect(calls).toEqual(['select lab-session', 'select bpf']);
    expect(useStageStore.getState().switched).toBeNull();
    // The new subscription starts without the old trouble.
    expect(useStageStore.getState().trouble).toBeNull();
  });

  it('shows the demo data again when the engine is gone and it was hidden; does nothing unless offered', () => {
    const s = start();
    s.switchToRecording();
    expect(calls).toEqual([]);
    useEngineStore.setState({ connection: connected, app: app(false) });
    expect(useStageStore.getState().sawEngine).toBe(true);
    useEngineStore.setState({ connection: disconnected('docker-unreachable', null) });
    expect(s.notice()).toMatchObject({ kind: 'lost', cause: 'engine' });
    s.switchToRecording();
    expect(calls).toEqual(['demo true', 'select lab-session']);
    // Picking another source by hand ends the switch: no way back is offered for it.
    subscribe({ kind: 'bpf' });
    expect(useStageStore.getState().switched).toBeNull();
  });
});
