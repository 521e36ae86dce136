import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { mapInspect as mapSummary } from '../../electron/adapters/docker/map-inspect.js';
import type { ContainerList, ContainerSummary, DataSource } from '../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../shared/domain/ids.js';
import { assessContainer, assessEngine } from '../../shared/domain/posture/evaluate.js';
import type { HostFacts, KernelEvidence } from '../../shared/domain/posture/model.js';
import type { ContainerPostureEntry, PostureReport } from '../../shared/ipc/contract.js';
import type { ErrorData } from '../../shared/ipc/result.js';
import {
  FIXTURE_DIR,
  MANIFEST,
  loadInspect,
  loadKernel,
  loadLocalHost,
  loadRemoteHost,
} from '../unit/posture/fixtures.js';
import type { FixtureName, Overrides } from '../unit/posture/fixtures.js';

/**
 * Posture reports for renderer tests, produced by the REAL pure core (`assessContainer`, `assessEngine`)
 * over the inspect documents, /proc files and `docker info` recorded from real containers
 * (test/fixtures/posture/**). Nothing here writes a finding by hand.
 *
 * The bad-input cases are made the way they happen: a /proc file answering EACCES (through the real
 * kernel-evidence adapter), an inspect document with fields removed or mistyped (through the real mapper),
 * and a container the engine no longer knows (the `unavailable` entry the contract defines for it).
 */

/** A container of the fake engine: its list summary (for cards) and its posture entry (for the matrix). */
export interface FakePostureContainer {
  readonly summary: ContainerSummary | null;
  readonly entry: ContainerPostureEntry;
}

/** Every recorded fixture name, in the manifest's order. */
export const FIXTURE_NAMES: readonly FixtureName[] = MANIFEST.fixtures.map((f) => f.name as FixtureName);

function summaryOf(inspect: unknown): ContainerSummary {
  const mapped = mapSummary(inspect);
  if (!mapped.ok) throw new Error(`fixture does not map to a summary: ${mapped.message}`);
  return mapped.summary;
}

function entryOf(
  inspect: Record<string, unknown>,
  posture: ContainerPostureEntry['result'],
): ContainerPostureEntry {
  const name = typeof inspect.Name === 'string' ? inspect.Name.replace(/^\//, '') : '';
  return { id: inspect.Id as ContainerId, name, result: posture };
}

/** One recorded container assessed by the real core, optionally with recorded /proc files replaced. */
export async function assessFixture(
  name: FixtureName,
  host: HostFacts,
  overrides: Overrides = {},
): Promise<FakePostureContainer> {
  const inspect = loadInspect(name);
  const kernel: KernelEvidence | null =
    host.evidenceKind === 'kernel' ? await loadKernel(name, overrides) : null;
  return { summary: summaryOf(inspect), entry: entryOf(inspect, assessContainer({ inspect, kernel }, host)) };
}

/** A recorded inspect document with its Id/Name changed, so a variant can sit next to the original. */
function renamed(name: FixtureName, suffix: string, idChar: string): Record<string, unknown> {
  const inspect = loadInspect(name);
  const id = String(inspect.Id);
  inspect.Id = `${idChar.repeat(8)}${id.slice(8)}`;
  inspect.Name = `${String(inspect.Name)}-${suffix}`;
  return inspect;
}

/**
 * The bad-input containers (each listed, so each has a card):
 * - `default-proc-denied`: the `default` fixture whose /proc/<pid>/status and uid_map answer EACCES;
 * - `hardened-broken-inspect`: the `hardened` fixture with HostConfig.CapAdd and State.Running mistyped;
 * - `etc-ro-no-id`: an inspect document without an Id (the core refuses it: `bad-inspect`);
 * - `drop-net-raw-vanished`: a container listed, then gone before it could be inspected (`not-found`).
 */
export async function badInputContainers(host: HostFacts): Promise<FakePostureContainer[]> {
  const denied = renamed('default', 'proc-denied', 'd');
  const deniedPid = Number((denied.State as { Pid: number }).Pid);
  const deniedKernel =
    host.evidenceKind === 'kernel'
      ? await loadKernel('default', { 'proc-status': { errno: 'EACCES' }, uid_map: { errno: 'EACCES' } })
      : null;
  const deniedEntry = entryOf(denied, assessContainer({ inspect: denied, kernel: deniedKernel }, host));
  if (deniedKernel !== null && deniedKernel.pid !== deniedPid) throw new Error('fixture PID mismatch');

  const broken = renamed('hardened', 'broken-inspect', 'e');
  const brokenSummary = summaryOf(broken);
  (broken.HostConfig as Record<string, unknown>).CapAdd = 42;
  (broken.State as Record<string, unknown>).Running = 'yes';
  const brokenEntry = entryOf(broken, assessContainer({ inspect: broken, kernel: null }, host));

  const noId = renamed('etc-ro', 'no-id', 'f');
  const noIdSummary = summaryOf(noId);
  const noIdId = noId.Id as ContainerId;
  const noIdName = String(noId.Name).replace(/^\//, '');
  delete noId.Id;
  const noIdEntry: ContainerPostureEntry = {
    id: noIdId,
    name: noIdName,
    result: assessContainer({ inspect: noId, kernel: null }, host),
  };

  // Listed (so it has a card), then removed before posture could inspect it.
  const vanished = renamed('drop-net-raw', 'vanished', '9');
  const vanishedId = vanished.Id as ContainerId;
  const gone: ErrorData = { code: 'not-found', message: `No such container: ${vanishedId}` };
  const vanishedEntry: ContainerPostureEntry = {
    id: vanishedId,
    name: String(vanished.Name).replace(/^\//, ''),
    result: { state: 'unavailable', error: gone },
  };

  return [
    { summary: summaryOf(denied), entry: deniedEntry },
    { summary: brokenSummary, entry: brokenEntry },
    { summary: noIdSummary, entry: noIdEntry },
    { summary: summaryOf(vanished), entry: vanishedEntry },
  ];
}

/** The recorded engine's posture (the host score). */
export function recordedEnginePosture(): PostureReport['engine'] {
  const info: unknown = JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-info.json'), 'utf8'));
  const version: unknown = JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-version.json'), 'utf8'));
  return assessEngine(info, version);
}

/** Where the report claims to come from. */
export type ReportKind = 'local' | 'remote' | 'demo';

/** A fake engine's containers and the posture report the real core gives for them. */
export interface FakePostureScenario {
  readonly list: ContainerList;
  readonly report: PostureReport;
  readonly containers: readonly FakePostureContainer[];
}

const RECORDED_AT = Date.parse(
  (JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as { recordedAt: string }).recordedAt,
) as EpochMillis;

/**
 * Every recorded fixture (plus, when asked, the bad-input containers) assessed by the real core as a local
 * engine (kernel evidence from the recorded /proc), a remote engine, or demo data (configuration only).
 */
export async function buildScenario(
  kind: ReportKind,
  opts: { readonly badInput?: boolean; readonly only?: readonly FixtureName[] } = {},
): Promise<FakePostureScenario> {
  const host = kind === 'local' ? await loadLocalHost() : loadRemoteHost();
  const names = opts.only ?? FIXTURE_NAMES;
  const containers: FakePostureContainer[] = [];
  for (const name of names) containers.push(await assessFixture(name, host));
  if (opts.badInput === true) containers.push(...(await badInputContainers(host)));
  const source: DataSource =
    kind === 'demo'
      ? {
          kind: 'demo',
          recordedAt: RECORDED_AT,
          recordedOn: `Docker ${MANIFEST.engine}`,
          reason: 'test scenario built from the recorded posture fixtures',
        }
      : { kind: 'live' };
  const list: ContainerList = {
    source,
    engineName: kind === 'remote' ? 'remote-host' : 'fixture-host',
    containers: containers.flatMap((c) => (c.summary === null ? [] : [c.summary])),
    problems: [],
  };
  const report: PostureReport = {
    source,
    assessedAt: RECORDED_AT,
    evidenceKind: kind === 'local' ? 'kernel' : 'configuration-only',
    engine: recordedEnginePosture(),
    containers: containers.map((c) => c.entry),
  };
  return { list, report, containers };
}

/**
 * `count` containers for the size test: the recorded fixtures round-robin, each under its own id and name,
 * every one assessed by the real core (kernel evidence from the recorded /proc).
 */
export async function buildLargeScenario(count: number): Promise<FakePostureScenario> {
  const host = await loadLocalHost();
  const base = await buildScenario('local', { only: [] });
  const containers: FakePostureContainer[] = [];
  for (let i = 0; i < count; i++) {
    const name = FIXTURE_NAMES[i % FIXTURE_NAMES.length] ?? 'default';
    const inspect = loadInspect(name);
    const n = i.toString(16).padStart(8, '0');
    inspect.Id = `${n}${String(inspect.Id).slice(8)}`;
    inspect.Name = `/load-${String(i).padStart(2, '0')}-${name}`;
    const kernel = await loadKernel(name);
    containers.push({
      summary: summaryOf(inspect),
      entry: entryOf(inspect, assessContainer({ inspect, kernel }, host)),
    });
  }
  return {
    list: { ...base.list, containers: containers.flatMap((c) => (c.summary === null ? [] : [c.summary])) },
    report: { ...base.report, containers: containers.map((c) => c.entry) },
    containers,
  };
}
