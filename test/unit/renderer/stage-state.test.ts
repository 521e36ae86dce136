import { describe, expect, it } from 'vitest';

import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { SyscallSourceInfo, SyscallSourceRequest } from '../../../shared/ipc/contract.js';
import {
  RECOVERED_NOTICE_MS,
  clockTime,
  isSwitchKey,
  nextTrouble,
  stageNotice,
} from '../../../renderer/src/state/stage.js';
import type { SourceTrouble, StageInput } from '../../../renderer/src/state/stage.js';
import { connected, disconnected, ms } from './fixtures.js';

const BPF: SyscallSourceRequest = { kind: 'bpf' };
const SESSION: SyscallSourceRequest = { kind: 'lab-session', speed: 1 };
const streaming: SourceState = { phase: 'streaming', since: ms(0) };
const starting: SourceState = { phase: 'starting', since: ms(0) };
const failed: SourceState = {
  phase: 'failed',
  since: ms(0),
  error: { code: 'bpftrace-failed', message: 'bpftrace was stopped by SIGKILL.' },
  diagnostics: '',
};
const info = (kind: SyscallSourceInfo['kind'], available: boolean): SyscallSourceInfo => ({
  kind,
  label: kind,
  available,
  reason: available ? null : 'no',
  sequence: false,
  note: '',
});
const SOURCES = [info('bpf', true), info('sysdig-live', false), info('lab-session', true)];
const T = 1_700_000_000_000;

describe('nextTrouble', () => {
  it('turns a live source’s failure after streaming into a restart, and streaming again into its recovery', () => {
    const t1 = nextTrouble(null, BPF, 'eBPF (bpftrace)', streaming, failed, T);
    expect(t1).toEqual({
      label: 'eBPF (bpftrace)',
      since: T,
      message: 'bpftrace-failed: bpftrace was stopped by SIGKILL',
      restarting: true,
      recoveredAt: null,
    });
    // The restart's `starting` changes nothing; a second failure before it streamed keeps the first.
    const t2 = nextTrouble(t1, BPF, 'eBPF (bpftrace)', failed, starting, T + 300);
    expect(t2).toBe(t1);
    expect(nextTrouble(t2, BPF, 'x', starting, failed, T + 600)).toBe(t1);
    const t3 = nextTrouble(t2, BPF, 'x', starting, streaming, T + 1500);
    expect(t3).toEqual({ ...t1, recoveredAt: T + 1500 });
    // A new failure after the recovery is news.
    expect(nextTrouble(t3, BPF, 'x', streaming, failed, T + 9000)).toMatchObject({
      since: T + 9000,
      recoveredAt: null,
    });
  });

  it('a failure before it ever streamed is not restarted; an unasked end is a stop; replays are not watched', () => {
    expect(nextTrouble(null, BPF, 'eBPF', starting, failed, T)).toMatchObject({ restarting: false });
    const ended: SourceState = { phase: 'exited', since: ms(0), reason: 'end-of-input' };
    expect(nextTrouble(null, BPF, 'eBPF', streaming, ended, T)).toMatchObject({
      message: 'it stopped',
      restarting: true,
    });
    const disposed: SourceState = { phase: 'exited', since: ms(0), reason: 'disposed' };
    expect(nextTrouble(null, BPF, 'eBPF', streaming, disposed, T)).toBeNull();
    expect(nextTrouble(null, SESSION, 'rec', streaming, failed, T)).toBeNull();
    expect(nextTrouble(null, null, 'none', null, failed, T)).toBeNull();
  });
});

const input = (over: Partial<StageInput>): StageInput => ({
  connection: connected,
  sawEngine: true,
  request: BPF,
  trouble: null,
  sources: SOURCES,
  switched: null,
  now: T,
  ...over,
});
const trouble = (over: Partial<SourceTrouble> = {}): SourceTrouble => ({
  label: 'eBPF (bpftrace)',
  since: T,
  message: 'bpftrace-failed: killed',
  restarting: true,
  recoveredAt: null,
  ...over,
});

describe('stageNotice', () => {
  it('is quiet while all is well, and on a replay the user chose', () => {
    expect(stageNotice(input({}))).toBeNull();
    expect(stageNotice(input({ request: SESSION }))).toBeNull();
    expect(
      stageNotice(input({ request: { kind: 'recording', path: '/r', speed: 1 }, trouble: trouble() })),
    ).toBeNull();
  });

  it('says in one line that the engine went away, and offers the recording', () => {
    const lost = disconnected('docker-unreachable', null);
    expect(stageNotice(input({ connection: lost }))).toEqual({
      kind: 'lost',
      cause: 'engine',
      text: `Live data stopped at ${clockTime(0)}: the Docker engine at unix:///var/run/docker.sock is not answering.`,
      canSwitch: true,
    });
    // No source running (no tracer here): still offered.
    expect(stageNotice(input({ connection: lost, request: null }))).toMatchObject({ cause: 'engine' });
    // An engine never seen since the window opened is not news: the demo is already on.
    expect(stageNotice(input({ connection: lost, sawEngine: false }))).toBeNull();
    // Without a recorded session it still says so, offering nothing.
    expect(
      stageNotice(input({ connection: lost, sources: [info('bpf', true), info('lab-session', false)] })),
    ).toMatchObject({ cause: 'engine', canSwitch: false });
  });

  it('says the live source stopped: restarting, restarted (for a while), or failed for good', () => {
    expect(stageNotice(input({ trouble: trouble() }))).toEqual({
      kind: 'lost',
      cause: 'source',
      text: `The eBPF (bpftrace) source stopped at ${clockTime(T)} (bpftrace-failed: killed); restarting it…`,
      canSwitch: true,
    });
    const recovered = trouble({ recoveredAt: T + 1000 });
    expect(stageNotice(input({ trouble: recovered, now: T + 2000 }))).toMatchObject({
      text: `The eBPF (bpftrace) source stopped at ${clockTime(T)} (bpftrace-failed: killed) and was restarted at ${clockTime(T + 1000)}.`,
    });
    expect(stageNotice(input({ trouble: recovered, now: T + 1000 + RECOVERED_NOTICE_MS }))).toBeNull();
    expect(stageNotice(input({ trouble: trouble({ restarting: false }) }))?.kind === 'lost').toBe(true);
    expect(stageNotice(input({ trouble: trouble({ restarting: false }) }))).toMatchObject({
      text: `The eBPF (bpftrace) source failed at ${clockTime(T)}: bpftrace-failed: killed.`,
    });
    // The engine going away says more than the tracer losing its containers.
    expect(
      stageNotice(input({ trouble: trouble(), connection: disconnected('docker-unreachable', null) })),
    ).toMatchObject({ cause: 'engine' });
  });

  it('offers the way back once on the recording, when live is there again', () => {
    const fromEngine = { from: BPF, cause: 'engine' as const, at: T };
    const back = {
      kind: 'back',
      text: `Showing the recorded lab session (RECORDING) since ${clockTime(T)}; live is available again.`,
    };
    expect(stageNotice(input({ request: SESSION, switched: fromEngine }))).toEqual(back);
    expect(
      stageNotice(
        input({ request: SESSION, switched: fromEngine, connection: disconnected('docker-error', 5) }),
      ),
    ).toBeNull();
    const fromSource = { from: BPF, cause: 'source' as const, at: T };
    expect(stageNotice(input({ request: SESSION, switched: fromSource }))).toEqual(back);
    expect(
      stageNotice(
        input({
          request: SESSION,
          switched: fromSource,
          sources: [info('bpf', false), info('lab-session', true)],
        }),
      ),
    ).toBeNull();
    // Switched from nothing (no tracer): back is to no source, once the engine answers.
    expect(stageNotice(input({ request: SESSION, switched: { ...fromEngine, from: null } }))).toEqual(back);
  });
});

describe('isSwitchKey', () => {
  const key = (over: Partial<Parameters<typeof isSwitchKey>[0]>) =>
    isSwitchKey({
      key: 'r',
      ctrlKey: false,
      altKey: false,
      metaKey: false,
      typing: false,
      inDialog: false,
      ...over,
    });

  it('is r or R with no modifier, outside text fields and dialogs', () => {
    expect(key({})).toBe(true);
    expect(key({ key: 'R' })).toBe(true);
    expect(key({ key: 'p' })).toBe(false);
    expect(key({ typing: true })).toBe(false);
    expect(key({ inDialog: true })).toBe(false);
    expect(key({ ctrlKey: true })).toBe(false); // Ctrl+R reloads: the browser's
    expect(key({ metaKey: true })).toBe(false);
    expect(key({ altKey: true })).toBe(false);
  });
});
