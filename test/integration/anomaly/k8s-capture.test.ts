import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import type { SysdigSequenceOptions } from '../../../electron/adapters/anomaly/sysdig-sequence.js';
import { SEQUENCE_FORMAT, startSysdigSequence } from '../../../electron/adapters/anomaly/sysdig-sequence.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { BoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import {
  boscStream,
  createBoscDetector,
  pushSyscall,
  streamState,
} from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalySnapshot } from '../../../shared/domain/anomaly/monitor.js';
import { isSyscallEventType } from '../../../shared/domain/anomaly/monitor.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';

// The k8s capture (../shared/data/README.md: a Kubernetes 1.4 node, ~20 containers), read by the real
// sysdig 0.29.3 through the sysdig sequence adapter.
const SCAP = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'scap');
const K8S = join(SCAP, 'bencer_k8s_capture.scap');
const EMPTY = join(SCAP, 'falco_empty.scap');
const run = promisify(execFile);

// The capture is 7 seconds: epochs of 200 windows and 10 training epochs let the busier containers reach
// watching, and leave the quiet ones learning.
const SETTINGS: Partial<BoscSettings> = {
  epochSize: 200,
  trainingEpochs: 10,
  threshold: { kind: 'fraction', value: 0.05 },
};

async function readToEnd(
  path: string,
  options: Partial<SysdigSequenceOptions> = {},
): Promise<{
  end: SourceState;
  snap: AnomalySnapshot;
  states: SourceState[];
  snapshots: number;
  malformed: number;
}> {
  const states: SourceState[] = [];
  let snapshots = 0;
  const source = startSysdigSequence(
    path,
    { onState: (s) => states.push(s), onSnapshot: () => snapshots++ },
    { clock: systemClock, bosc: SETTINGS, ...options },
  );
  const end = await source.settled;
  return { end, snap: source.snapshot(), states, snapshots, malformed: source.malformed };
}

describe('the sysdig sequence adapter on the k8s capture', () => {
  it("gives every container a BoSC state that matches the detector run on sysdig's own output", async () => {
    const { end, snap, states, snapshots, malformed } = await readToEnd(K8S);
    expect(end).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(states.map((s) => s.phase)).toEqual(['starting', 'streaming', 'exited']);
    expect(snapshots).toBeGreaterThanOrEqual(1);
    expect(malformed).toBe(0);

    // The oracle: sysdig with the same format, split plainly, fed straight to a detector per container.
    const { stdout } = await run('sysdig', ['-r', K8S, '-p', SEQUENCE_FORMAT, 'evt.dir=>'], {
      maxBuffer: 256 * 1024 * 1024,
    });
    const det = createBoscDetector(SETTINGS);
    for (const line of stdout.split('\n')) {
      const f = line.split(' ');
      if (f.length !== 4) continue;
      const [second, id, type] = f as [string, string, string, string];
      if (id === 'host' || id === '<NA>' || !isSyscallEventType(type)) continue;
      pushSyscall(det, boscStream(det, id)!, det.vocabulary.indexOf(type), Number(second));
    }

    const keys = snap.containers.map((c) => c.key);
    expect(keys).toEqual([
      '1f101022f906',
      '254d0ca0d750',
      '36ae6d09d26e',
      '46cbfa65bd40',
      '4b44ae6e7bb7',
      '51531814e42e',
      '53fe249c71de',
      '730a6f492270',
      '9e202e5f273e',
      'b3a718d8b339',
      'de7157ba23c4',
    ]);
    for (const c of snap.containers) {
      const oracle = streamState(det, boscStream(det, c.key)!);
      // The same sequence through the same detector: identical states, hints included.
      expect(c.bosc).toEqual(oracle);
    }

    const table = snap.containers.map((c) => {
      const b = c.bosc!;
      return `${c.key} ${b.phase.padEnd(9)} ${String(b.syscalls).padStart(6)} syscalls ${String(b.epochs).padStart(3)} epochs ${String(b.database.bags).padStart(5)} bags ${b.mismatches} mismatches${
        b.phase === 'anomalous'
          ? ` — ${b.anomalousEpochs} anomalous epochs, hint ${b.hint.map((h) => h.syscall).join(', ')}`
          : ''
      }`;
    });
    process.stdout.write(
      `k8s capture, per-container BoSC (epoch 200, 10 training epochs):\n  ${table.join('\n  ')}\n`,
    );

    const phases = new Map(snap.containers.map((c) => [c.key, c.bosc!.phase]));
    // The quiet containers (a few hundred syscalls) never finish training…
    for (const quiet of ['1f101022f906', '36ae6d09d26e', '46cbfa65bd40', '51531814e42e', '730a6f492270']) {
      expect(phases.get(quiet)).toBe('learning');
    }
    // …the busy ones do; k8s-proxy (53fe249c71de, 22 616 syscalls) changes behaviour within the 7 s.
    expect(phases.get('de7157ba23c4')).not.toBe('learning');
    expect(phases.get('53fe249c71de')).toBe('anomalous');
    const total = snap.containers.reduce((n, c) => n + (c.bosc?.syscalls ?? 0), 0);
    expect(total).toBe(
      stdout
        .split('\n')
        .map((l) => l.split(' '))
        .filter((f) => f.length === 4 && f[1] !== 'host' && f[1] !== '<NA>' && isSyscallEventType(f[2]!))
        .length,
    );

    // Built-in alerts: nsenter's three setns in the kubelet container, a bash that ran a program.
    expect(snap.alerts.map((a) => [a.ruleId, a.container?.id, a.count, a.processes])).toEqual([
      ['shell-in-container', 'b3a718d8b339', 1, ['bash']],
      ['setns', 'de7157ba23c4', 3, ['nsenter']],
    ]);
    expect(snap.alerts[1]).toMatchObject({
      firstSeen: 1481211700_000,
      lastSeen: 1481211704_000,
      severity: 'high',
    });
  });

  it('an empty capture is an empty result, not an error', async () => {
    const { end, snap } = await readToEnd(EMPTY);
    expect(end).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(snap.containers).toEqual([]);
    expect(snap.alerts).toEqual([]);
  });

  it('a file that is not a capture fails with capture-unreadable', async () => {
    const { end } = await readToEnd(join(SCAP, '..', 'README.md'));
    expect(end.phase).toBe('failed');
    expect(end.phase === 'failed' && end.error.code).toBe('capture-unreadable');
  });

  it('a missing sysdig fails with sysdig-missing', async () => {
    const { end } = await readToEnd(K8S, { program: '/nonexistent/sysdig' });
    expect(end.phase === 'failed' && end.error.code).toBe('sysdig-missing');
  });
});
