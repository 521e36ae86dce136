import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { assessContainer, assessEngine, evaluatePosture } from '../../../shared/domain/posture/evaluate.js';
import { mapInspect } from '../../../shared/domain/posture/map-inspect.js';
import type { ContainerRule } from '../../../shared/domain/posture/rule.js';
import { CONTAINER_RULES } from '../../../shared/domain/posture/rules/index.js';
import type { FixtureName } from './fixtures.js';
import { loadInspect, loadKernel, loadLocalHost, loadRemoteHost, MANIFEST } from './fixtures.js';

describe('assessContainer on the recorded containers', () => {
  it.each(MANIFEST.fixtures.map((f) => [f.name as FixtureName, f.started] as const))(
    '%s (started: %s)',
    async (name, started) => {
      const host = await loadLocalHost();
      const p = assessContainer({ inspect: loadInspect(name), kernel: await loadKernel(name) }, host);
      if (p.state !== 'assessed') throw new Error(p.error.message);
      expect(p.findings).toHaveLength(CONTAINER_RULES.length);
      expect(p.evidenceKind).toBe(started ? 'kernel' : 'configuration-only');
      // attr/current is EINVAL without an LSM: a fact about the host, not a problem with the evidence.
      expect(p.notes).toEqual(started ? [] : ['Not running: every verdict rests on the configuration only.']);
    },
  );

  it('remote engine: every verdict is configuration only, kernel evidence is refused', async () => {
    const p = assessContainer(
      { inspect: loadInspect('default'), kernel: await loadKernel('default') },
      loadRemoteHost(),
    );
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(new Set(p.findings.map((f) => f.evidenceKind))).toEqual(new Set(['configuration-only']));
    expect(p.evidenceKind).toBe('configuration-only');
    expect(p.notes).toContain(
      'Kernel evidence was ignored: the engine is remote, so /proc on this machine says nothing about it.',
    );
  });
});

describe('bad input gives a per-container error state, never a throw', () => {
  it.each([
    ['null', null],
    ['a string', 'oops'],
    ['an array', []],
    ['no Id', { Name: '/web' }],
    ['a short Id', { Id: 'abc123', Name: '/web' }],
  ])('%s', async (_label, inspect) => {
    const p = assessContainer({ inspect }, await loadLocalHost());
    expect(p.state).toBe('error');
    if (p.state === 'error') {
      expect(p.error.code).toBe('bad-inspect');
      expect(p.error.message.length).toBeGreaterThan(0);
    }
  });

  it('keeps the name of a document it cannot assess', async () => {
    const p = assessContainer({ inspect: { Id: 42, Name: '/web' } }, await loadLocalHost());
    expect(p).toMatchObject({
      state: 'error',
      id: null,
      name: 'web',
      error: {
        code: 'bad-inspect',
        message: 'Id: expected string, got number',
      },
    });
  });

  it('a permission error on /proc: verdicts fall back to the configuration, the notes say which file and why', async () => {
    const kernel = await loadKernel('sys-admin-unconfined', {
      'proc-status': { errno: 'EACCES' },
      uid_map: { errno: 'EPERM' },
    });
    const p = assessContainer(
      { inspect: loadInspect('sys-admin-unconfined'), kernel },
      await loadLocalHost(),
    );
    if (p.state !== 'assessed') throw new Error(p.error.message);
    const pid = (loadInspect('sys-admin-unconfined').State as { Pid: number }).Pid;
    expect(p.notes).toEqual([
      `/proc/${pid}/status: permission-denied (permission denied: EACCES on /proc/${pid}/status); the checks that need it use the configuration.`,
      `/proc/${pid}/uid_map: permission-denied (permission denied: EPERM on /proc/${pid}/uid_map); the checks that need it use the configuration.`,
    ]);
    const seccomp = p.findings.find((f) => f.ruleId === 'seccomp');
    expect(seccomp).toMatchObject({ status: 'fail', evidenceKind: 'configuration-only' });
    expect(seccomp?.evidence).toContainEqual({
      source: 'proc',
      field: `/proc/${pid}/status`,
      value: expect.stringMatching(/^not read \(permission-denied\)/) as unknown,
    });
    // The PID namespace link was readable, so that verdict still follows the kernel.
    expect(p.findings.find((f) => f.ruleId === 'host-pid')?.evidenceKind).toBe('kernel');
  });

  it('a process that exited between inspect and /proc: process-gone, noted', async () => {
    const kernel = await loadKernel('default', {
      'proc-status': { errno: 'ENOENT' },
      uid_map: { errno: 'ESRCH' },
      'ns-pid': { errno: 'ENOENT' },
    });
    const p = assessContainer({ inspect: loadInspect('default'), kernel }, await loadLocalHost());
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(p.notes.every((n) => n.includes('process-gone'))).toBe(true);
    expect(p.notes).toHaveLength(3);
    expect(p.evidenceKind).toBe('configuration-only');
  });

  it('garbage in a /proc file is unparseable, not a crash', async () => {
    const kernel = await loadKernel('default', { 'proc-status': 'CapEff:\tnot-hex\n' });
    const p = assessContainer({ inspect: loadInspect('default'), kernel }, await loadLocalHost());
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(p.notes[0]).toMatch(
      /status: unparseable \(not in the expected format: CapEff is not a capability mask/,
    );
  });

  it('kernel evidence for another PID (the container restarted) is ignored', async () => {
    const kernel = await loadKernel('default');
    if (kernel === null) throw new Error('no kernel evidence');
    const p = assessContainer(
      { inspect: loadInspect('default'), kernel: { ...kernel, pid: kernel.pid + 1 } },
      await loadLocalHost(),
    );
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(p.notes[0]).toMatch(
      /Kernel evidence for PID \d+ was ignored: the container's init is PID \d+ \(it restarted\)/,
    );
    expect(p.evidenceKind).toBe('configuration-only');
  });

  it('an inspect document with unexpected fields is assessed, with the problems as notes', () => {
    const doc = loadInspect('default');
    (doc.HostConfig as Record<string, unknown>).Privileged = 1;
    (doc.HostConfig as Record<string, unknown>).SecurityOpt = { seccomp: 'unconfined' };
    doc.Surprise = { nested: [1, 2, 3] };
    const p = assessContainer({ inspect: doc }, loadRemoteHost());
    if (p.state !== 'assessed') throw new Error(p.error.message);
    expect(p.notes).toEqual(
      expect.arrayContaining([
        'HostConfig.Privileged: expected boolean, got number',
        'HostConfig.SecurityOpt: expected array of strings, got object',
      ]),
    );
    for (const id of ['privileged', 'seccomp', 'apparmor-profile', 'no-new-privileges']) {
      expect(p.findings.find((f) => f.ruleId === id)?.status, id).toBe('info');
    }
  });

  it('a rule that throws becomes an info finding; the others still run', () => {
    const mapped = mapInspect(loadInspect('default'));
    if (!mapped.ok) throw new Error('fixture');
    const broken: ContainerRule = {
      ...CONTAINER_RULES[0]!,
      id: 'broken',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const findings = evaluatePosture(mapped.snapshot, loadRemoteHost(), [broken, ...CONTAINER_RULES]);
    expect(findings[0]).toMatchObject({
      ruleId: 'broken',
      status: 'info',
      message: 'This rule could not be evaluated (boom).',
    });
    expect(findings).toHaveLength(CONTAINER_RULES.length + 1);
  });

  it('no mutation of a recorded document makes assessContainer throw', async () => {
    const host = await loadLocalHost();
    const kernel = await loadKernel('docker-sock-host-ns');
    const keys = [
      'HostConfig',
      'Config',
      'State',
      'Mounts',
      'NetworkSettings',
      'Id',
      'Name',
      'AppArmorProfile',
      'ExecIDs',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.jsonValue(),
        fc.option(fc.constantFrom(...Object.keys(loadInspect('default').HostConfig as object))),
        (key, value, hcKey) => {
          const doc = loadInspect('docker-sock-host-ns');
          if (hcKey !== null && typeof doc.HostConfig === 'object')
            (doc.HostConfig as Record<string, unknown>)[hcKey] = value;
          else doc[key] = value;
          const p = assessContainer({ inspect: doc, kernel }, host);
          expect(['assessed', 'error']).toContain(p.state);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('assessEngine', () => {
  it('refuses a non-object info document with an error state', () => {
    expect(assessEngine(null, null)).toEqual({
      state: 'error',
      error: { code: 'bad-engine-info', message: 'info document: expected object' },
    });
  });

  it('assesses a sparse info document, listing what was missing', () => {
    const e = assessEngine(
      { ServerVersion: '27.1.1', SecurityOptions: ['name=seccomp,profile=builtin'] },
      null,
    );
    if (e.state !== 'assessed') throw new Error(e.error.message);
    expect(e.facts.version).toBe('27.1.1');
    expect(e.notes).toContain('info.LoggingDriver: missing');
    expect(e.findings.find((f) => f.ruleId === 'daemon-seccomp-profile')?.status).toBe('pass');
    expect(e.findings.find((f) => f.ruleId === 'daemon-live-restore')?.status).toBe('info');
  });
});
