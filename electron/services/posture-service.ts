import type { ContainerId } from '../../shared/domain/ids.js';
import { shortId } from '../../shared/domain/ids.js';
import type { DecidedEngineFacts } from '../../shared/domain/posture/engine-facts.js';
import { assessContainer, assessEngine, buildHostFacts } from '../../shared/domain/posture/evaluate.js';
import type { ContainerPosture, EnginePosture } from '../../shared/domain/posture/evaluate.js';
import type { Evidence, HostFacts, KernelEvidence, ProcessList } from '../../shared/domain/posture/model.js';
import type { ContainerPostureEntry, PostureReport } from '../../shared/ipc/contract.js';
import type { ErrorData } from '../../shared/ipc/result.js';
import { BulkheadError, toErrorData } from '../../shared/ipc/result.js';
import { FIRST_VERDICT_WAIT_MS, describeEngine } from './container-service.js';
import type { EngineMonitor } from './engine-monitor.js';
import { engineVerdict, engineWentAway } from './engine-verdict.js';
import type {
  Clock,
  DecidedEngineFactsReport,
  DemoScenario,
  DemoScenarioPort,
  EnginePort,
  HostEvidencePort,
  InspectedContainer,
  LocalHostFacts,
} from './ports.js';

/** How long the engine's info/version, the decided daemon facts and the host facts are reused. */
export const ENGINE_CACHE_MS = 5000;

/** Assesses the isolation posture of containers and of the engine (the host score). */
export interface PostureService {
  /** Every container, or those of `ids` (unknown ids become `not-found` entries). */
  assess(ids?: readonly ContainerId[]): Promise<PostureReport>;
}

/** What the posture service needs. */
export interface PostureServiceDeps {
  readonly engine: EnginePort;
  /** /proc and /sys of the engine's host; `local: false` for a remote engine. */
  readonly host: HostEvidencePort;
  readonly monitor: EngineMonitor;
  /** The demo scenario (loaded once by whoever shares it with the container service). */
  readonly demo: DemoScenarioPort;
  readonly clock: Clock;
  /** Whether demo data is shown while the engine is unreachable (read on every call). */
  readonly showDemoWhenDisconnected: () => boolean;
  readonly firstVerdictWaitMs?: number;
  readonly engineCacheMs?: number;
}

/**
 * Host evidence that reads nothing — for a remote engine (tcp://, ssh://), whose host's /proc is on another
 * machine. The posture service then marks every verdict "configuration only"; `reason` says why.
 */
export function configurationOnlyHost(reason: string): HostEvidencePort {
  const error = { code: 'not-supported' as const, message: reason };
  return {
    local: false,
    hostFacts: () =>
      Promise.resolve({ lsms: { ok: false, path: '/sys/kernel/security/lsm', error }, pidNamespace: null }),
    kernelEvidence: (pid, _containerId) =>
      Promise.resolve({
        pid,
        status: { ok: false, path: `/proc/${pid}/status`, error },
        uidMap: { ok: false, path: `/proc/${pid}/uid_map`, error },
        attrCurrent: { ok: false, path: `/proc/${pid}/attr/current`, error },
        pidNamespace: { ok: false, path: `/proc/${pid}/ns/pid`, error },
      }),
    containerProcesses: () => Promise.resolve(new Map()),
    decideEngineFacts: () =>
      Promise.resolve({
        facts: {},
        evidence: {},
        notes: [`The engine's own settings were not read: ${reason}.`],
      }),
  };
}

/** The daemon rule that judges each decided fact; its finding gets the fact's evidence. */
const DECIDED_RULES: Readonly<Record<keyof DecidedEngineFacts, string>> = {
  icc: 'daemon-icc',
  userlandProxy: 'daemon-userland-proxy',
  defaultUlimits: 'daemon-default-ulimits',
  noNewPrivilegesDefault: 'daemon-no-new-privileges',
  iptables: 'daemon-iptables',
  tcpWithoutTls: 'daemon-tls',
};

/**
 * Attach what the host said about each decided fact (dockerd's command line, daemon.json) to the daemon
 * finding that judged it, and the reasons for undecided facts to the notes. Pure.
 */
export function withDecidedEvidence(
  posture: EnginePosture,
  decided: DecidedEngineFactsReport,
): EnginePosture {
  if (posture.state !== 'assessed') return posture;
  const byRule = new Map<string, readonly Evidence[]>();
  for (const [fact, rule] of Object.entries(DECIDED_RULES) as [keyof DecidedEngineFacts, string][]) {
    const evidence = decided.evidence[fact];
    if (evidence !== undefined && evidence.length > 0) byRule.set(rule, evidence);
  }
  return {
    ...posture,
    findings: posture.findings.map((f) => {
      const extra = byRule.get(f.ruleId);
      return extra === undefined ? f : { ...f, evidence: [...f.evidence, ...extra] };
    }),
    notes: [...posture.notes, ...decided.notes],
  };
}

/** State.Pid of a running container in an inspect document, or null. */
function runningPid(inspect: unknown): number | null {
  if (typeof inspect !== 'object' || inspect === null) return null;
  const state = (inspect as { State?: unknown }).State;
  if (typeof state !== 'object' || state === null) return null;
  const { Running: running, Pid: pid } = state as { Running?: unknown; Pid?: unknown };
  return running === true && typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** Assess one container; a bug in the core becomes this container's error, not the run's. */
function assessOne(
  id: ContainerId,
  name: string,
  input: {
    inspect: unknown;
    kernel: KernelEvidence | null;
    processes: ProcessList | null;
    notes: readonly string[];
  },
  host: HostFacts,
): ContainerPostureEntry {
  let result: ContainerPosture;
  try {
    result = assessContainer(input, host);
  } catch (e) {
    return { id, name, result: { state: 'unavailable', error: toErrorData(e) } };
  }
  if (result.state === 'assessed' && input.notes.length > 0)
    result = { ...result, notes: [...result.notes, ...input.notes] };
  const shown = name !== '' ? name : result.state === 'assessed' ? result.snapshot.name : (result.name ?? '');
  return { id, name: shown, result };
}

function unavailable(id: ContainerId, name: string, error: ErrorData): ContainerPostureEntry {
  return { id, name, result: { state: 'unavailable', error } };
}

interface EngineContext {
  readonly posture: EnginePosture;
  readonly host: HostFacts;
}

/**
 * Create the posture service.
 *
 * Live: ONE list and ONE inspect per container (concurrent, EnginePort.inspectContainers); on a local engine
 * the kernel evidence of every running container (concurrent) and ONE /proc scan for all their processes;
 * the engine's posture from info/version and the decided daemon facts, reused for `engineCacheMs`. A
 * container that vanished, an inspect document the core cannot read, or a /proc file it may not read gives
 * that container's error state or notes; the others are still assessed.
 *
 * Not connected: the demo scenario's recorded documents and kernel evidence (source `demo`) when it is shown,
 * otherwise the connection error — the same rule as the container list.
 */
export function createPostureService(deps: PostureServiceDeps): PostureService {
  const { engine, host, monitor, demo, clock } = deps;
  const waitMs = deps.firstVerdictWaitMs ?? FIRST_VERDICT_WAIT_MS;
  const cacheMs = deps.engineCacheMs ?? ENGINE_CACHE_MS;
  let cached: { at: number; value: Promise<EngineContext> } | undefined;

  /** The endpoint Bulkhead itself uses decides "TCP without TLS" when it is TCP without TLS. */
  const withEndpointFacts = (decided: DecidedEngineFactsReport): DecidedEngineFactsReport => {
    const ep = engine.endpoint;
    if (ep.transport !== 'tcp' || ep.tls) return decided;
    return {
      facts: { ...decided.facts, tcpWithoutTls: true },
      evidence: {
        ...decided.evidence,
        tcpWithoutTls: [{ source: 'engine', field: 'endpoint Bulkhead uses', value: `${ep.url} (no TLS)` }],
      },
      notes: decided.notes,
    };
  };

  const loadEngineContext = async (): Promise<EngineContext> => {
    const [docs, decided, local] = await Promise.all([
      engine.engineDocuments().then(
        (d) => ({ ok: true as const, d }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
      host.decideEngineFacts(),
      host.local ? host.hostFacts() : Promise.resolve<LocalHostFacts | null>(null),
    ]);
    if (!docs.ok && engineWentAway(docs.e)) throw docs.e;
    const facts = withEndpointFacts(decided);
    const posture: EnginePosture = docs.ok
      ? withDecidedEvidence(assessEngine(docs.d.info, docs.d.version, facts.facts), facts)
      : {
          state: 'error',
          error: {
            code: 'bad-engine-info',
            message: `The engine's info and version could not be read: ${toErrorData(docs.e).message}`,
          },
        };
    return {
      posture,
      host: buildHostFacts(posture.state === 'assessed' ? posture.facts : null, local),
    };
  };

  const engineContext = (): Promise<EngineContext> => {
    const now = clock.now();
    if (cached === undefined || now - cached.at >= cacheMs) {
      const value = loadEngineContext();
      const entry = { at: now, value };
      cached = entry;
      // A failure is not reused: the next run asks again.
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };

  const live = async (ids?: readonly ContainerId[]): Promise<PostureReport> => {
    const [listed, context] = await Promise.all([engine.inspectContainers(ids), engineContext()]);
    // Asked for ids: answer in the order asked; otherwise in the engine's list order.
    const entries =
      ids === undefined ? listed : [...listed].sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    const inspected = entries.filter((e): e is Extract<InspectedContainer, { ok: true }> => e.ok);
    const pids = new Map<ContainerId, number>();
    if (host.local) {
      for (const e of inspected) {
        const pid = runningPid(e.inspect);
        if (pid !== null) pids.set(e.id, pid);
      }
    }
    const initPids = [...new Set(pids.values())];
    const [kernels, processes] = await Promise.all([
      Promise.all([...pids].map(async ([id, pid]) => [id, await host.kernelEvidence(pid, id)] as const)),
      initPids.length > 0
        ? host.containerProcesses(initPids, context.host.pidNamespace)
        : Promise.resolve(new Map<number, never>()),
    ]);
    const kernelById = new Map(kernels);
    const containers = entries.map((e): ContainerPostureEntry => {
      if (!e.ok) return unavailable(e.id, e.name, e.error);
      const pid = pids.get(e.id);
      const kernel = kernelById.get(e.id) ?? null;
      // Processes only for a PID whose kernel evidence is this container's (its namespace could be read).
      const procs = pid === undefined || kernel?.pidNamespace.ok !== true ? undefined : processes.get(pid);
      const notes =
        procs !== undefined && !procs.ok
          ? [`${procs.path}: ${procs.error.code} (${procs.error.message}); the processes were not listed.`]
          : [];
      return assessOne(
        e.id,
        e.name,
        { inspect: e.inspect, kernel, processes: procs?.ok === true ? procs.value : null, notes },
        context.host,
      );
    });
    return {
      source: { kind: 'live' },
      assessedAt: clock.now(),
      evidenceKind: context.host.evidenceKind,
      engine: context.posture,
      containers,
    };
  };

  const demoReport = (s: DemoScenario, reason: string, ids?: readonly ContainerId[]): PostureReport => {
    const rec = s.posture;
    const posture: EnginePosture =
      rec === undefined
        ? {
            state: 'error',
            error: {
              code: 'bad-engine-info',
              message: 'This demo scenario was recorded without the engine’s info and version.',
            },
          }
        : withDecidedEvidence(
            assessEngine(rec.engine.info, rec.engine.version, rec.decided.facts),
            rec.decided,
          );
    const hostFacts = buildHostFacts(posture.state === 'assessed' ? posture.facts : null, rec?.host ?? null);
    const wanted = ids === undefined ? null : new Set<string>(ids);
    const containers: ContainerPostureEntry[] = s.containers
      .filter((c) => wanted === null || wanted.has(c.summary.id))
      .map((c) => {
        const k = rec?.containers.find((r) => r.id === c.summary.id);
        return assessOne(
          c.summary.id,
          c.summary.name,
          { inspect: c.inspect, kernel: k?.kernel ?? null, processes: k?.processes ?? null, notes: [] },
          hostFacts,
        );
      });
    for (const id of ids ?? []) {
      if (!s.containers.some((c) => c.summary.id === id) && !containers.some((c) => c.id === id))
        containers.push(
          unavailable(id, '', {
            code: 'not-found',
            message: `no container ${shortId(id)} in the demo scenario`,
          }),
        );
    }
    return {
      source: { kind: 'demo', recordedAt: s.recordedAt, recordedOn: describeEngine(s.engine), reason },
      assessedAt: clock.now(),
      evidenceKind: hostFacts.evidenceKind,
      engine: posture,
      containers,
    };
  };

  const offline = async (
    error: { code: BulkheadError['code']; message: string },
    ids?: readonly ContainerId[],
  ): Promise<PostureReport> => {
    if (!deps.showDemoWhenDisconnected()) throw new BulkheadError(error.code, error.message);
    let scenario: DemoScenario | null;
    try {
      scenario = await demo.load();
    } catch (e) {
      throw new BulkheadError(
        error.code,
        `${error.message} (demo scenario unusable: ${toErrorData(e).message})`,
      );
    }
    if (scenario === null) throw new BulkheadError(error.code, error.message);
    return demoReport(scenario, error.message, ids);
  };

  return {
    async assess(ids) {
      const v = engineVerdict(await monitor.settled(waitMs));
      if (v.kind === 'offline') return offline(v.error, ids);
      try {
        return await live(ids);
      } catch (e) {
        if (!engineWentAway(e)) throw e;
        return offline(e, ids);
      }
    },
  };
}
