import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createDemoFile, parseDemoScenario } from '../../../electron/adapters/demo/demo-file.js';
import { labPart, withLab } from '../../../electron/adapters/docker/demo-recorder.js';
import { loadRecording } from '../../../electron/adapters/syscalls/recording-replay.js';
import type { DemoScenario } from '../../../electron/services/ports.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { LAB_LABEL, LAB_ROLE_LABEL } from '../../../shared/domain/lab.js';
import { keepSubjects } from '../../../shared/domain/syscalls/filter.js';
import type {
  EpochSeconds,
  SubjectFrame,
  SyscallFrame,
  SysdigContainerId,
} from '../../../shared/domain/syscalls/model.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

// The recorded lab session shipped for the offline demo (assets/demo/lab-session.jsonl, written with
// scenario.json's lab containers by `bulkhead lab record` from the live eBPF source): the two must agree,
// and the recording must show what the demo says it shows — the weak container's alerts, none on the
// hardened one. Plus the pure pieces the recorder is built from.

const DEMO = join(import.meta.dirname, '..', '..', '..', 'assets', 'demo');
const SCENARIO = join(DEMO, 'scenario.json');
const SESSION = join(DEMO, 'lab-session.jsonl');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-lab-session-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the shipped lab session', () => {
  it('names the recording its lab containers are in, recorded from real containers with their kernel evidence', async () => {
    const s = await createDemoFile(SCENARIO).load();
    if (s?.lab === undefined) throw new Error('scenario.json holds no lab session');
    expect(s.lab.recording).toBe('lab-session.jsonl');
    expect(s.lab.recordedWith).toMatch(/^bulkhead lab record on .*the live eBPF source/);
    const lab = labPart(s)!;
    const roles = lab.containers.map((c) => c.summary.labels[LAB_ROLE_LABEL]).sort();
    expect(roles).toEqual(['default', 'docker-sock', 'hardened', 'privileged', 'weak']);
    const running = lab.containers.filter((c) => c.summary.state === 'running').map((c) => c.summary.id);
    expect(lab.kernels.map((k) => k.id).sort()).toEqual([...running].sort());
    // The demo's own containers are still there.
    expect(s.containers.some((c) => c.summary.name === 'demo-hardened')).toBe(true);
  });

  it('is a real recording of them: alerts on weak, none on hardened, only lab containers, in time order', async () => {
    const s = (await createDemoFile(SCENARIO).load())!;
    const rec = await loadRecording(SESSION);
    expect(rec.malformed).toBe(0);
    expect(rec.header.recordedWith).toMatch(/eBPF/);
    expect(rec.entries.length).toBeGreaterThan(20);
    const ats = rec.entries.map((e) => e.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    const durationS = (ats.at(-1)! - ats[0]!) / 1000;
    expect(durationS).toBeGreaterThan(10);
    expect(durationS).toBeLessThan(120);
    const byRole = new Map(s.containers.map((c) => [c.summary.labels[LAB_ROLE_LABEL], c.summary.id]));
    const labShorts = new Set(
      [...byRole.entries()].filter(([role]) => role !== undefined).map(([, cid]) => cid.slice(0, 12)),
    );
    for (const e of rec.entries)
      for (const sub of e.frame.subjects)
        expect(sub.subject.kind === 'container' && labShorts.has(sub.subject.id)).toBe(true);
    const last = rec.entries.at(-1)!.frame;
    const alertsOf = (role: string) =>
      (last.alerts ?? [])
        .filter((a) => a.subject.kind === 'container' && byRole.get(role)!.startsWith(a.subject.id))
        .map((a) => a.syscall)
        .sort();
    expect(alertsOf('weak')).toEqual(expect.arrayContaining(['mount', 'ptrace', 'unshare']));
    expect(alertsOf('hardened')).toEqual([]);
    // It starts quiet: the attack comes later in the loop.
    expect(rec.entries[0]!.frame.alerts ?? []).toEqual([]);
  });
});

const id = (c: string) => c.repeat(64) as ContainerId;

function container(name: string, cid: ContainerId, lab: boolean): DemoScenario['containers'][number] {
  return {
    summary: {
      id: cid,
      name,
      image: 'x',
      imageId: 'sha256:' + '0'.repeat(64),
      state: 'running',
      status: 'Up',
      createdAt: 0 as EpochMillis,
      startedAt: 0 as EpochMillis,
      finishedAt: null,
      exitCode: null,
      pid: 1,
      labels: lab ? { [LAB_LABEL]: '1' } : {},
    },
    inspect: {},
  };
}

describe('recording a lab session into a scenario', () => {
  const real = (): DemoScenario => parseDemoScenario(readFileSync(SCENARIO, 'utf8'), SCENARIO);

  it('replaces an earlier session’s containers and kernel evidence, and keeps everything else', () => {
    const base = real();
    const old = labPart(base)!;
    const kernel = old.kernels[0]!;
    const next = withLab(base, {
      containers: [container('bulkhead-lab-weak', id('e'), true)],
      kernels: [{ ...kernel, id: id('e') }],
      meta: { recordedAt: 5 as EpochMillis, recordedWith: 'again', recording: 'lab-session.jsonl' },
    });
    const names = next.containers.map((c) => c.summary.name);
    expect(names.filter((n) => n.startsWith('bulkhead-lab-'))).toEqual(['bulkhead-lab-weak']);
    expect(names.filter((n) => n.startsWith('demo-'))).toEqual(
      base.containers.filter((c) => c.summary.name.startsWith('demo-')).map((c) => c.summary.name),
    );
    const ids = new Set(next.containers.map((c) => c.summary.id));
    expect(next.posture!.containers.every((k) => ids.has(k.id))).toBe(true);
    expect(next.posture!.containers.at(-1)!.id).toBe(id('e'));
    expect(next.lab).toMatchObject({ recordedWith: 'again' });
    // What it writes loads again.
    expect(parseDemoScenario(JSON.stringify(next), 'x').containers).toHaveLength(next.containers.length);
  });

  it('an older scenario without a lab session has none, and still loads', async () => {
    const { lab: _lab, ...old } = JSON.parse(readFileSync(SCENARIO, 'utf8')) as Record<string, unknown>;
    const path = join(dir, 'old.json');
    writeFileSync(path, JSON.stringify(old));
    const s = await createDemoFile(path).load();
    expect(s?.lab).toBeUndefined();
    expect(labPart(s!)).toBeNull();
  });

  it('refuses a lab session naming a path instead of a file beside the scenario', () => {
    const doc = JSON.parse(readFileSync(SCENARIO, 'utf8')) as { lab: { recording: string } };
    doc.lab.recording = '../../etc/passwd';
    expect(() => parseDemoScenario(JSON.stringify(doc), 's.json')).toThrow(BulkheadError);
    expect(() => parseDemoScenario(JSON.stringify(doc), 's.json')).toThrow(/lab\.recording/);
  });
});

describe('keepSubjects', () => {
  const sub = (cid: string, total: number, syscalls: number): SubjectFrame => ({
    subject: { kind: 'container', id: cid as SysdigContainerId, name: null },
    window: total,
    total,
    top: [{ syscall: 'read', window: total, total }],
    rest: { syscalls, window: 0, total: 0 },
    perSecond: [total],
  });
  const frame: SyscallFrame = {
    seq: 3,
    now: 100 as EpochSeconds,
    windowSeconds: 600,
    subjects: [
      sub('aaaaaaaaaaaa', 10, 2),
      sub('bbbbbbbbbbbb', 5, 0),
      { ...sub('x', 7, 0), subject: { kind: 'host' } },
    ],
    totalEvents: 22,
    dropped: { overflow: 1, late: 0, malformed: 0 },
    gaps: [{ from: 1 as EpochSeconds, to: 2 as EpochSeconds, reason: 'no-data' }],
    keys: { used: 9, max: 4096 },
    alerts: [
      {
        subject: { kind: 'container', id: 'bbbbbbbbbbbb' as SysdigContainerId, name: null },
        syscall: 'mount',
        ruleId: 'mount',
        title: 'mount',
        severity: 'high',
        firstSeen: 100 as EpochSeconds,
        lastSeen: 100 as EpochSeconds,
        total: 1,
      },
    ],
  };

  it('keeps the chosen subjects and their alerts, recounting totals and keys; drops and gaps stay', () => {
    const kept = keepSubjects(frame, (s) => s.kind === 'container' && s.id === 'aaaaaaaaaaaa');
    expect(kept.subjects.map((s) => s.total)).toEqual([10]);
    expect(kept).toMatchObject({ seq: 3, totalEvents: 10, keys: { used: 3, max: 4096 }, alerts: [] });
    expect(kept.dropped).toBe(frame.dropped);
    expect(kept.gaps).toBe(frame.gaps);
    const noAlerts = keepSubjects({ ...frame, alerts: undefined }, () => true);
    expect('alerts' in noAlerts).toBe(false);
    expect(noAlerts.totalEvents).toBe(22);
  });
});
