import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createDemoFile, parseDemoScenario } from '../../../electron/adapters/demo/demo-file.js';
import { createEngineMonitor } from '../../../electron/services/engine-monitor.js';
import type { DemoScenario } from '../../../electron/services/ports.js';
import { configurationOnlyHost, createPostureService } from '../../../electron/services/posture-service.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { createFakeClock } from '../../support/fake-clock.js';
import { createFakeEngine } from '../../support/fake-engine.js';

// The embedded demo scenario (assets/demo/scenario.json, written by `bulkhead demo record` from real
// containers) carries the posture evidence: engine documents, daemon facts, and /proc for each running
// container. Older scenarios without it still load.

const SCENARIO = join(import.meta.dirname, '..', '..', '..', 'assets', 'demo', 'scenario.json');
const raw = (): Record<string, unknown> =>
  JSON.parse(readFileSync(SCENARIO, 'utf8')) as Record<string, unknown>;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-demo-posture-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refused(doc: unknown): BulkheadError {
  try {
    parseDemoScenario(JSON.stringify(doc), 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(BulkheadError);
    return e as BulkheadError;
  }
  throw new Error('expected the scenario to be refused');
}

describe('the embedded demo scenario’s posture recording', () => {
  it('has kernel evidence for exactly the running containers, for the PID in their inspect document', async () => {
    const s = await createDemoFile(SCENARIO).load();
    if (s?.posture === undefined) throw new Error('no posture recorded');
    const running = s.containers.filter((c) => c.summary.state === 'running');
    expect(running.length).toBeGreaterThan(0);
    expect(s.posture.containers.map((k) => k.id).sort()).toEqual(running.map((c) => c.summary.id).sort());
    for (const k of s.posture.containers) {
      const c = s.containers.find((x) => x.summary.id === k.id);
      expect(k.kernel.pid).toBe((c?.inspect as { State: { Pid: number } }).State.Pid);
      expect(k.kernel.status.ok).toBe(true);
    }
    expect(s.posture.host).not.toBeNull();
  });

  it('shown while the engine is down: kernel-backed posture, labelled demo', async () => {
    const scenario = await createDemoFile(SCENARIO).load();
    const clock = createFakeClock();
    const engine = createFakeEngine();
    engine.mode = 'down';
    const monitor = createEngineMonitor({ engine, clock, publish: () => undefined });
    monitor.start();
    await clock.flush();
    const report = await createPostureService({
      engine,
      host: configurationOnlyHost('unused'),
      monitor,
      demo: { load: () => Promise.resolve(scenario) },
      clock,
      showDemoWhenDisconnected: () => true,
    }).assess();
    monitor.dispose();
    expect(report.source.kind).toBe('demo');
    expect(report.evidenceKind).toBe('kernel');
    const byName = new Map(report.containers.map((c) => [c.name, c.result]));
    const allCaps = byName.get('demo-all-caps');
    if (allCaps?.state !== 'assessed') throw new Error('demo-all-caps not assessed');
    expect(allCaps.findings.find((f) => f.ruleId === 'seccomp')).toMatchObject({
      status: 'fail',
      evidenceKind: 'kernel',
    });
    const priv = byName.get('demo-privileged');
    if (priv?.state !== 'assessed') throw new Error('demo-privileged not assessed');
    expect(priv.snapshot.state).toBe('created');
    expect(priv.evidenceKind).toBe('configuration-only');
    expect(report.engine.state).toBe('assessed');
  });

  it('a scenario without posture (recorded before it existed) still loads', async () => {
    const { posture: _p, ...old } = raw();
    const path = join(dir, 'old.json');
    writeFileSync(path, JSON.stringify(old));
    const s: DemoScenario | null = await createDemoFile(path).load();
    expect(s?.posture).toBeUndefined();
    expect(s?.containers.length).toBeGreaterThan(0);
  });

  it('refuses kernel evidence for a container the scenario does not list', () => {
    const doc = raw();
    const posture = doc.posture as { containers: { id: string }[] };
    const first = posture.containers[0];
    if (first === undefined) throw new Error('no kernel evidence recorded');
    first.id = 'f'.repeat(64);
    expect(refused(doc).message).toContain(`kernel evidence for container ${'f'.repeat(64)}`);
  });

  it('refuses malformed kernel evidence with the path of the problem', () => {
    const doc = raw();
    const posture = doc.posture as { containers: { kernel: { status: Record<string, unknown> } }[] };
    const first = posture.containers[0];
    if (first === undefined) throw new Error('no kernel evidence recorded');
    first.kernel.status = { ok: true, path: '/proc/1/status', value: { seccompMode: 7 } };
    const e = refused(doc);
    expect(e.code).toBe('demo-unavailable');
    expect(e.message).toContain('posture.containers.0.kernel.status');
  });
});
