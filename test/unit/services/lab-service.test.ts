import { describe, expect, it } from 'vitest';

import type { ConnectionState, EndpointDescription } from '../../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import type {
  AttackStepResult,
  LabEngineStatus,
  LabUpEntry,
  LabUpReport,
} from '../../../shared/domain/lab.js';
import type { PushEnvelope } from '../../../electron/services/app-core.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import type { LabAttackOptions, LabPort } from '../../../electron/services/lab-ports.js';
import { createLabService } from '../../../electron/services/lab-service.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { createFakeClock } from '../../support/fake-clock.js';
import { createFakeEngine } from '../../support/fake-engine.js';

// The lab service over a fake LabPort (deterministic: no engine, no exec); the real lab functions behind
// the port are tested against dockerd in test/integration/lab/.

const ENDPOINT: EndpointDescription = {
  url: 'unix:///var/run/docker.sock',
  transport: 'unix',
  tls: false,
  source: 'default',
  local: true,
};
const at = (n: number) => n as EpochMillis;
const id = (c: string) => c.repeat(64) as ContainerId;
const CONNECTED: ConnectionState = {
  phase: 'connected',
  endpoint: ENDPOINT,
  since: at(0),
  engine: {
    id: 'x',
    name: 'vm',
    version: '20.10',
    apiVersion: '1.41',
    os: 'linux',
    arch: 'amd64',
    kernelVersion: '6',
    operatingSystem: 'Debian',
  },
};

function entry(role: LabUpEntry['role'], outcome: LabUpEntry['outcome'], line: string): LabUpEntry {
  return {
    role,
    name: `bulkhead-lab-${role}`,
    summary: '',
    options: '',
    id: outcome === 'conflict' ? null : id('a'),
    outcome,
    created: true,
    line,
  };
}

const REPORT: LabUpReport = {
  engine: ENDPOINT.url,
  arch: 'x86_64',
  entries: [
    entry('privileged', 'refused', 'privileged: created, the engine refused to start it: no'),
    entry('weak', 'started', 'weak: created and started (bulkhead-lab-weak, aaaaaaaaaaaa)'),
  ],
  hardenedProfile: {
    json: '{}',
    document: {},
    metadata: { allowed: ['read', 'write'] },
  } as unknown as LabUpReport['hardenedProfile'],
};

function step(s: AttackStepResult['step'], exitCode: number, blocked: AttackStepResult['blocked']) {
  return {
    step: s,
    title: s,
    syscall: s === 'shell' ? null : s,
    display: `do ${s}`,
    exitCode,
    firstLine: blocked !== null ? `${s} = -1 errno 1 (Operation not permitted)` : `${s} = 0`,
    blocked,
    timedOut: false,
    startedAt: at(1),
    endedAt: at(2),
  } satisfies AttackStepResult;
}

/** A lab port whose operations wait for the test to release them. */
function fakeLab(status: Partial<LabEngineStatus> = {}) {
  let release: () => void = () => undefined;
  const gate = (): Promise<void> => new Promise((r) => (release = r));
  const calls: string[] = [];
  let fail: Error | null = null;
  const port: LabPort = {
    endpoint: () => ({ url: ENDPOINT.url, local: status.local ?? true }),
    status: () =>
      Promise.resolve({
        engine: ENDPOINT.url,
        local: true,
        upBlocked: null,
        containers: [],
        ...status,
      }),
    async up(onEntry) {
      calls.push('up');
      await gate();
      if (fail !== null) throw fail;
      for (const e of REPORT.entries) onEntry(e);
      return REPORT;
    },
    async attack(target, options: LabAttackOptions) {
      calls.push(`attack ${target} ${options.pauseMs}`);
      options.onStart({ id: id('b'), name: `bulkhead-lab-${target}`, role: target }, 2);
      const steps = [step('shell', 0, null), step('mount', 1, 'EPERM')];
      for (const [i, r] of steps.entries()) {
        options.onStepStart(
          { id: r.step, title: r.title, syscall: r.syscall, argv: [], display: r.display },
          i,
          2,
        );
        await gate();
        options.onStepResult(r, i, 2);
      }
      return {
        container: { id: id('b'), name: `bulkhead-lab-${target}`, role: target },
        arch: 'x86_64',
        steps,
      };
    },
    down(onRemoved) {
      calls.push('down');
      onRemoved({ id: id('c'), name: 'bulkhead-lab-weak' });
      return Promise.resolve({ removed: [{ id: id('c'), name: 'bulkhead-lab-weak' }] });
    },
  };
  return {
    port,
    calls,
    release: () => release(),
    failWith: (e: Error) => (fail = e),
  };
}

function service(port: LabPort | null, engine: ConnectionState = CONNECTED) {
  const pushes: PushEnvelope[] = [];
  const svc = createLabService({
    lab: port,
    engineState: () => engine,
    clock: createFakeClock(),
    publish: (p) => pushes.push(p),
    pauseMs: 0,
  });
  const progress = () =>
    pushes.filter((p) => p.channel === 'lab:progress').map((p) => p.payload as Record<string, unknown>);
  return { svc, pushes, progress };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('lab service', () => {
  it('says in one sentence why the lab cannot run: not wired, no engine, a remote engine, a missing image', async () => {
    expect((await service(null).svc.status()).blocked).toBe('The demo lab is not part of this build.');
    const down: ConnectionState = {
      phase: 'disconnected',
      endpoint: { ...ENDPOINT, url: 'unix:///nowhere.sock' },
      since: at(0),
      error: { code: 'docker-unreachable', message: 'ENOENT' },
      retryAt: null,
    };
    const off = await service(fakeLab().port, down).svc.status();
    expect(off.blocked).toBe(
      'No Docker engine is reachable at unix:///nowhere.sock (ENOENT): the lab runs on the local engine.',
    );
    expect(off.containers).toEqual([]);
    expect((await service(fakeLab({ local: false }).port).svc.status()).blocked).toMatch(
      /is not on this machine; .* runs only against a local engine\.$/,
    );
    const noImage = await service(
      fakeLab({ upBlocked: 'the image x is not on the engine' }).port,
    ).svc.status();
    expect(noImage).toMatchObject({ blocked: null, upBlocked: 'the image x is not on the engine' });
    // Starting anyway is refused with the same words, and the code the renderer switches on.
    expect(() => service(fakeLab().port, down).svc.start('up', null)).toThrow(
      expect.objectContaining({ code: 'docker-unreachable' }),
    );
  });

  it('runs up with the CLI’s lines as pushes, one operation at a time, and keeps its log for status', async () => {
    const lab = fakeLab();
    const { svc, progress } = service(lab.port);
    const { opId } = svc.start('up', null);
    expect(() => svc.start('down', null)).toThrow(/the lab is busy: lab up is still running/);
    await settle();
    lab.release();
    await svc.idle();
    const got = progress();
    expect(got.every((p) => p.opId === opId && p.op === 'up' && p.target === null)).toBe(true);
    expect(got.map((p) => (p.line as { text: string; tone: string } | null)?.tone ?? 'done')).toEqual([
      'info',
      'failed',
      'info',
      'info',
      'done',
    ]);
    expect((got[0]!.line as { text: string }).text).toBe('lab up on unix:///var/run/docker.sock:');
    expect((got[3]!.line as { text: string }).text).toBe(
      'seccomp profile of the hardened container, generated by Bulkhead (x86_64): 2 syscalls allowed, everything else EPERM',
    );
    expect(got.at(-1)!.done).toEqual({
      ok: true,
      summary: 'lab up: 1 of 2 running, privileged refused by the engine',
    });
    const status = await svc.status();
    expect(status.op).toMatchObject({ opId, op: 'up', done: { ok: true } });
    expect(status.op!.lines).toHaveLength(4);
    // Free again.
    expect(svc.start('down', null).opId).not.toBe(opId);
    await svc.idle();
    expect(lab.calls).toEqual(['up', 'down']);
  });

  it('marks each attack step as it ends, BLOCKED where EPERM stopped it, then the CLI’s summary', async () => {
    const lab = fakeLab();
    const { svc, progress } = service(lab.port);
    svc.start('attack', 'hardened');
    await settle();
    // The first step began; its result waits for the fake's exec.
    expect(progress().map((p) => (p.line as { text: string }).text)).toEqual([
      'attack on bulkhead-lab-hardened (role hardened): 2 steps, 0 s apart',
      '[1/2] shell: do shell',
    ]);
    lab.release();
    await settle();
    lab.release();
    await svc.idle();
    const lines = progress()
      .map((p) => p.line as { text: string; tone: string } | null)
      .filter((l) => l !== null);
    expect(lines.slice(2)).toEqual([
      { tone: 'through', text: 'went through, exit 0: shell = 0' },
      { tone: 'step', text: '[2/2] mount: do mount' },
      { tone: 'blocked', text: 'BLOCKED (EPERM), exit 1: mount = -1 errno 1 (Operation not permitted)' },
    ]);
    expect(progress().at(-1)!.done).toEqual({
      ok: true,
      summary: 'bulkhead-lab-hardened: 1 of 2 steps blocked (EPERM 1, EACCES 0), 1 went through',
    });
    expect(lab.calls).toEqual(['attack hardened 0']);
  });

  it('ends a failed operation with its error in one line, and as data', async () => {
    const lab = fakeLab();
    lab.failWith(
      new BulkheadError('not-found', 'the image bulkhead-test/debian:bookworm is not on the engine'),
    );
    const { svc, progress } = service(lab.port);
    svc.start('up', null);
    await settle();
    lab.release();
    await svc.idle();
    expect(progress().at(-2)!.line).toEqual({
      tone: 'error',
      text: 'the image bulkhead-test/debian:bookworm is not on the engine',
    });
    expect(progress().at(-1)!.done).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'the image bulkhead-test/debian:bookworm is not on the engine' },
    });
  });

  it('is reached through the core’s lab channels, and a bad target never reaches the port', async () => {
    const lab = fakeLab();
    const engine = createFakeEngine();
    const core = createAppCore({
      engine,
      demo: { load: () => Promise.resolve(null) },
      clock: createFakeClock(),
      mode: 'browser',
      version: '0',
      onError: () => undefined,
      lab: lab.port,
    });
    const got: PushEnvelope[] = [];
    core.pushes.subscribe((p) => got.push(p));
    expect(await core.dispatch('lab:attack', { target: 'everything' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await core.dispatch('lab:up', { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(lab.calls).toEqual([]);
    const status = await core.dispatch('lab:status', {});
    expect(status).toMatchObject({ ok: true, value: { blocked: null, containers: [] } });
    const down = await core.dispatch('lab:down', {});
    expect(down).toMatchObject({ ok: true, value: { opId: 'lab-1' } });
    await settle();
    expect(got.filter((p) => p.channel === 'lab:progress').map((p) => p.to)).toEqual([undefined, undefined]);
    await core.dispose();
  });
});
