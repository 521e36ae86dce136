import { describe, expect, it } from 'vitest';

import type { LabContainerStatus } from '../../../shared/domain/lab.js';
import type { LabStatusReport } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import {
  applyLabProgress,
  applyLabStartResult,
  applyLabStatus,
  beginLabStart,
  initialLabState,
  labActions,
  labErrorLine,
} from '../../../renderer/src/state/lab.js';
import type { LabViewState } from '../../../renderer/src/state/lab.js';
import { demoList, id, liveList } from './fixtures.js';

const live = liveList().source;
const demo = demoList().source;
const c = (role: LabContainerStatus['role'], running: boolean): LabContainerStatus => ({
  id: id('a'),
  name: `bulkhead-lab-${role}`,
  role,
  state: running ? 'running' : 'exited',
  running,
});
const status = (over: Partial<LabStatusReport> = {}): LabStatusReport => ({
  engine: 'unix:///var/run/docker.sock',
  blocked: null,
  upBlocked: null,
  containers: [],
  op: null,
  ...over,
});
const withStatus = (over: Partial<LabStatusReport> = {}): LabViewState =>
  applyLabStatus(initialLabState, ok(status(over)));
const reasons = (s: LabViewState, source = live, up = true) =>
  Object.fromEntries(labActions(s, source, up).map((a) => [a.id, a.reason]));

describe('lab buttons', () => {
  it('can all be pressed, or say why not, in one sentence each', () => {
    expect(reasons(withStatus({ containers: [c('weak', true), c('hardened', true)] }))).toEqual({
      up: null,
      'attack-weak': null,
      'attack-hardened': null,
      down: null,
    });
    expect(reasons(withStatus({ containers: [c('weak', false)] }))).toEqual({
      up: null,
      'attack-weak': 'bulkhead-lab-weak is not running (exited).',
      'attack-hardened': 'There is no bulkhead-lab-hardened: press Up first.',
      down: null,
    });
    expect(reasons(withStatus())).toMatchObject({ down: 'There are no lab containers to remove.' });
    expect(reasons(withStatus({ upBlocked: 'the image x is not on the engine' }))).toMatchObject({
      up: 'the image x is not on the engine',
    });
  });

  it('are all off, for one reason, on demo data, without an engine or a transport, or while busy', () => {
    const every = (s: LabViewState, source = live, up = true) => [
      ...new Set(Object.values(reasons(s, source, up))),
    ];
    expect(every(withStatus(), demo)).toEqual(['Demo data is shown: the lab needs the local Docker engine.']);
    expect(every(withStatus({ blocked: 'No Docker engine is reachable at x.' }))).toEqual([
      'No Docker engine is reachable at x.',
    ]);
    expect(every(withStatus(), live, false)).toEqual(['Not connected to the Bulkhead engine.']);
    expect(every(initialLabState)).toEqual(['Asking the engine about the lab…']);
    const busy = applyLabProgress(
      withStatus({ containers: [c('weak', true)] }),
      {
        opId: 'lab-1',
        op: 'attack',
        target: 'weak',
        line: { tone: 'info', text: 'attack on …' },
        done: null,
      },
      5,
    );
    expect(every(busy)).toEqual(['Busy: the attack on weak is running.']);
    expect(every(beginLabStart(withStatus(), 'up'))).toEqual(['Busy: lab up is running.']);
  });
});

describe('lab log', () => {
  it('adds the lines of an operation as they come, then its end; a new operation starts a new log', () => {
    let s = withStatus();
    s = applyLabProgress(
      s,
      { opId: 'lab-1', op: 'up', target: null, line: { tone: 'info', text: 'a' }, done: null },
      5,
    );
    s = applyLabProgress(
      s,
      { opId: 'lab-1', op: 'up', target: null, line: { tone: 'failed', text: 'b' }, done: null },
      6,
    );
    s = applyLabProgress(
      s,
      { opId: 'lab-1', op: 'up', target: null, line: null, done: { ok: true, summary: 'ok' } },
      7,
    );
    expect(s.op).toEqual({
      opId: 'lab-1',
      op: 'up',
      target: null,
      startedAt: 5,
      lines: [
        { tone: 'info', text: 'a' },
        { tone: 'failed', text: 'b' },
      ],
      done: { ok: true, summary: 'ok' },
    });
    // A status that knows less (asked before the end) does not undo what the pushes said.
    const older = applyLabStatus(
      s,
      ok(status({ op: { ...s.op!, lines: s.op!.lines.slice(0, 1), done: null } })),
    );
    expect(older.op).toBe(s.op);
    s = applyLabProgress(
      s,
      { opId: 'lab-2', op: 'down', target: null, line: { tone: 'info', text: 'c' }, done: null },
      8,
    );
    expect(s.op).toMatchObject({ opId: 'lab-2', lines: [{ text: 'c' }], done: null });
    // A window opened later gets the running operation from the status.
    const fresh = applyLabStatus(initialLabState, ok(status({ op: s.op })));
    expect(fresh.op).toEqual(s.op);
  });

  it('ends in one error line: a refused start, or a failed operation', () => {
    const refused = applyLabStartResult(
      beginLabStart(withStatus(), 'up'),
      err('docker-unreachable', 'no engine'),
    );
    expect(refused.pending).toBeNull();
    expect(labErrorLine(refused)).toBe('no engine');
    const failed = applyLabProgress(
      withStatus(),
      {
        opId: 'lab-3',
        op: 'up',
        target: null,
        line: null,
        done: { ok: false, error: { code: 'not-found', message: 'no image' } },
      },
      1,
    );
    expect(labErrorLine(failed)).toBe('no image');
    expect(labErrorLine(withStatus())).toBeNull();
    expect(applyLabStatus(withStatus(), err('transport-closed', 'gone')).statusError).toMatchObject({
      message: 'gone',
    });
  });
});
