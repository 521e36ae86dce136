import { beforeAll, describe, expect, it } from 'vitest';

import type { ContainerId } from '../../../shared/domain/ids.js';
import type { Finding } from '../../../shared/domain/posture/model.js';
import type { PostureReport } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import {
  applyPostureResult,
  beginPostureRequest,
  cardPosture,
  entryFor,
  evidenceKindText,
  initialPostureState,
  isPostureLoading,
  resolveTarget,
  sortFindings,
  statusMark,
  unavailableTitle,
  worstFailing,
} from '../../../renderer/src/state/posture.js';
import { buildScenario } from '../../support/posture-report.js';
import type { FakePostureScenario } from '../../support/posture-report.js';

// Reports made by the real pure core over the recorded fixtures (test/support/posture-report.ts).
let local: FakePostureScenario;
let remote: FakePostureScenario;
let demo: FakePostureScenario;

beforeAll(async () => {
  local = await buildScenario('local', { badInput: true });
  remote = await buildScenario('remote');
  demo = await buildScenario('demo');
});

function entryNamed(report: PostureReport, suffix: string) {
  const entry = report.containers.find((c) => c.name === `bulkhead-posture-${suffix}`);
  if (entry === undefined) throw new Error(`no entry ${suffix}`);
  return entry;
}

describe('posture request state', () => {
  it('keeps the last good report while a refresh is in flight', () => {
    const a = beginPostureRequest(initialPostureState);
    let s = applyPostureResult(a.state, a.seq, ok(local.report));
    const b = beginPostureRequest(s);
    s = b.state;
    expect(isPostureLoading(s)).toBe(true);
    expect(s.report).toBe(local.report);
  });

  it('ignores an answer overtaken by a newer request', () => {
    const first = beginPostureRequest(initialPostureState);
    const second = beginPostureRequest(first.state);
    let s = applyPostureResult(second.state, second.seq, ok(remote.report));
    s = applyPostureResult(s, first.seq, ok(local.report));
    expect(s.report).toBe(remote.report);
    expect(isPostureLoading(s)).toBe(false);
  });

  it('keeps the report when only the transport dropped, drops it on an engine failure', () => {
    const a = beginPostureRequest(initialPostureState);
    let s = applyPostureResult(a.state, a.seq, ok(local.report));
    const b = beginPostureRequest(s);
    s = applyPostureResult(b.state, b.seq, err('transport-closed', 'lost'));
    expect(s.report).toBe(local.report);
    expect(s.error?.code).toBe('transport-closed');
    const c = beginPostureRequest(s);
    s = applyPostureResult(c.state, c.seq, err('docker-unreachable', 'Docker engine not reachable'));
    expect(s.report).toBeNull();
    expect(s.error).toEqual({ code: 'docker-unreachable', message: 'Docker engine not reachable' });
  });

  it('clears the error after a success', () => {
    const a = beginPostureRequest(initialPostureState);
    let s = applyPostureResult(a.state, a.seq, err('internal', 'posture:assess is not faked'));
    expect(s.error?.message).toBe('posture:assess is not faked');
    const b = beginPostureRequest(s);
    s = applyPostureResult(b.state, b.seq, ok(local.report));
    expect(s.error).toBeNull();
    expect(s.report).toBe(local.report);
  });
});

describe('the card posture row', () => {
  it('finds a container by id, and nothing for an id the report does not have', () => {
    const hardened = entryNamed(local.report, 'hardened');
    expect(entryFor(local.report, hardened.id)).toBe(hardened);
    expect(entryFor(local.report, 'f'.repeat(64) as ContainerId)).toBeNull();
    expect(entryFor(null, hardened.id)).toBeNull();
    expect(cardPosture(null, local.report)).toEqual({ kind: 'missing' });
  });

  it('grades the hardened container better than the SYS_ADMIN + seccomp=unconfined one', () => {
    const hardened = cardPosture(entryNamed(local.report, 'hardened'), local.report);
    const sysAdmin = cardPosture(entryNamed(local.report, 'sys-admin-unconfined'), local.report);
    if (hardened.kind !== 'assessed' || sysAdmin.kind !== 'assessed') throw new Error('not assessed');
    expect(hardened.score.value).toBeGreaterThan(sysAdmin.score.value);
    expect(hardened.evidenceKind).toBe('kernel');
    expect(sysAdmin.worst.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['seccomp', 'capabilities']));
    expect(sysAdmin.worst.every((f) => f.status === 'fail')).toBe(true);
  });

  it('lists at most three failing findings, most severe first', () => {
    const entry = entryNamed(local.report, 'cap-add-all');
    if (entry.result.state !== 'assessed') throw new Error('not assessed');
    const fails = entry.result.findings.filter((f) => f.status === 'fail');
    expect(fails.length).toBeGreaterThan(3);
    const worst = worstFailing(entry.result.findings);
    expect(worst).toHaveLength(3);
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    const ranks = worst.map((f) => order.indexOf(f.severity));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    const worstRank = Math.min(...fails.map((f) => order.indexOf(f.severity)));
    expect(ranks[0]).toBe(worstRank);
  });

  it('says a created container has no kernel evidence, without repeating the core note', () => {
    const entry = entryNamed(local.report, 'privileged');
    if (entry.result.state !== 'assessed') throw new Error('not assessed');
    expect(entry.result.notes).toContain('Not running: every verdict rests on the configuration only.');
    const card = cardPosture(entry, local.report);
    if (card.kind !== 'assessed') throw new Error('not assessed');
    expect(card.notRunning).toBe('created, not running: no kernel evidence');
    expect(card.evidenceKind).toBe('configuration-only');
    expect(card.notes).not.toContain('Not running: every verdict rests on the configuration only.');
  });

  it('marks every container of a remote engine or of demo data as configuration only', () => {
    for (const scenario of [remote, demo]) {
      for (const entry of scenario.report.containers) {
        if (entry.result.state !== 'assessed') throw new Error(`${entry.name} not assessed`);
        // The core's own sentence, which the card replaces by its evidence-kind tag and reason.
        expect(entry.result.notes).toContain('Remote engine: every verdict rests on the configuration only.');
        const card = cardPosture(entry, scenario.report);
        if (card.kind !== 'assessed') throw new Error(`${entry.name} not assessed`);
        expect(card.evidenceKind).toBe('configuration-only');
        expect(card.configurationReason).not.toBeNull();
        expect(card.notRunning).toBeNull();
        expect(card.notes).toEqual([]);
      }
    }
    const demoCard = cardPosture(demo.report.containers[0] ?? null, demo.report);
    expect(demoCard.kind === 'assessed' && demoCard.configurationReason).toMatch(/^demo data/);
    const remoteCard = cardPosture(remote.report.containers[0] ?? null, remote.report);
    expect(remoteCard.kind === 'assessed' && remoteCard.configurationReason).toMatch(/^remote engine/);
  });

  it('keeps kernel evidence recorded in demo data, and says it is recorded', () => {
    // The engine may replay a demo recorded with /proc evidence: the verdicts followed that recording.
    const recorded: PostureReport = { ...local.report, source: demo.report.source };
    const card = cardPosture(entryNamed(recorded, 'sys-admin-unconfined'), recorded);
    if (card.kind !== 'assessed') throw new Error('not assessed');
    expect(card.evidenceKind).toBe('kernel');
    expect(card.recorded).toBe(true);
    expect(card.configurationReason).toBeNull();
    expect(evidenceKindText(card.evidenceKind, card.recorded)).toBe('kernel evidence, recorded');
    const live = cardPosture(entryNamed(local.report, 'sys-admin-unconfined'), local.report);
    expect(live.kind === 'assessed' && live.recorded).toBe(false);
  });

  it('gives each bad input its own clear state', () => {
    const vanished = cardPosture(entryNamed(local.report, 'drop-net-raw-vanished'), local.report);
    if (vanished.kind !== 'error') throw new Error('not an error state');
    expect(vanished.problem.title).toBe('Container disappeared before it could be inspected');
    expect(vanished.problem.message).toMatch(/^No such container: 9{8}/);

    const noId = cardPosture(entryNamed(local.report, 'etc-ro-no-id'), local.report);
    expect(noId.kind).toBe('error');
    if (noId.kind === 'error') {
      expect(noId.problem.title).toBe('The inspect document could not be read');
      expect(noId.problem.message).toContain('Id');
    }

    const denied = cardPosture(entryNamed(local.report, 'default-proc-denied'), local.report);
    if (denied.kind !== 'assessed') throw new Error('not assessed');
    expect(denied.notes.some((n) => n.includes('permission-denied'))).toBe(true);

    const broken = cardPosture(entryNamed(local.report, 'hardened-broken-inspect'), local.report);
    if (broken.kind !== 'assessed') throw new Error('not assessed');
    expect(broken.notes.some((n) => n.startsWith('HostConfig'))).toBe(true);
    expect(broken.evidenceKind).toBe('configuration-only');
  });

  it('titles an unavailable container by error code', () => {
    expect(unavailableTitle('not-found')).toMatch(/disappeared/);
    expect(unavailableTitle('permission-denied')).toMatch(/permission/i);
    expect(unavailableTitle('internal')).toBe('Posture could not be assessed');
  });
});

describe('statuses and ordering', () => {
  it('gives every status a symbol and a word, not colour alone', () => {
    expect(statusMark('pass')).toMatchObject({ symbol: '✓', text: 'pass' });
    expect(statusMark('warn')).toMatchObject({ symbol: '!', text: 'warn' });
    expect(statusMark('fail')).toMatchObject({ symbol: '✕', text: 'fail' });
    expect(statusMark('info')).toMatchObject({ symbol: 'i', text: 'info' });
    expect(statusMark('na')).toMatchObject({ symbol: '–', text: 'n/a' });
  });

  it('sorts findings fail, warn, info, pass, n/a and by severity within a status', () => {
    const entry = entryNamed(local.report, 'docker-sock-host-ns');
    if (entry.result.state !== 'assessed') throw new Error('not assessed');
    const sorted = sortFindings(entry.result.findings);
    expect(sorted).toHaveLength(entry.result.findings.length);
    const statuses = sorted.map((f) => f.status);
    const order = ['fail', 'warn', 'info', 'pass', 'na'];
    expect(statuses.map((s) => order.indexOf(s))).toEqual(
      [...statuses.map((s) => order.indexOf(s))].sort((a, b) => a - b),
    );
    const fails: Finding[] = sorted.filter((f) => f.status === 'fail');
    const sev = ['critical', 'high', 'medium', 'low', 'info'];
    expect(fails.map((f) => sev.indexOf(f.severity))).toEqual(
      fails.map((f) => sev.indexOf(f.severity)).sort((a, b) => a - b),
    );
  });
});

describe('panel targets', () => {
  it('resolves a container, a container finding and an engine finding', () => {
    const sysAdmin = entryNamed(local.report, 'sys-admin-unconfined');
    const container = resolveTarget(local.report, { kind: 'container', id: sysAdmin.id });
    expect(container.kind === 'container' && container.entry).toBe(sysAdmin);

    const seccomp = resolveTarget(local.report, {
      kind: 'finding',
      scope: { kind: 'container', id: sysAdmin.id },
      ruleId: 'seccomp',
    });
    if (seccomp.kind !== 'finding') throw new Error('not resolved');
    expect(seccomp.finding.status).toBe('fail');
    expect(seccomp.ownerName).toBe('bulkhead-posture-sys-admin-unconfined');
    expect(seccomp.containerId).toBe(sysAdmin.id);

    const daemon = resolveTarget(local.report, {
      kind: 'finding',
      scope: { kind: 'engine' },
      ruleId: 'daemon-userns-remap',
    });
    expect(daemon.kind === 'finding' && daemon.containerId).toBeNull();
  });

  it('says so when the target left the report', () => {
    const gone = 'a'.repeat(64) as ContainerId;
    expect(resolveTarget(local.report, { kind: 'container', id: gone }).kind).toBe('gone');
    expect(
      resolveTarget(local.report, { kind: 'finding', scope: { kind: 'engine' }, ruleId: 'no-such-rule' })
        .kind,
    ).toBe('gone');
    expect(resolveTarget(null, { kind: 'container', id: gone }).kind).toBe('gone');
    // A finding of an entry that could not be assessed falls back to the entry (which shows its error).
    const vanished = entryNamed(local.report, 'drop-net-raw-vanished');
    const fallback = resolveTarget(local.report, {
      kind: 'finding',
      scope: { kind: 'container', id: vanished.id },
      ruleId: 'seccomp',
    });
    expect(fallback.kind === 'container' && fallback.entry).toBe(vanished);
  });
});
