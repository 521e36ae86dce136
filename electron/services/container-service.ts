import type { ContainerList, DataSource } from '../../shared/domain/container.js';
import type { EngineInfo } from '../../shared/domain/engine.js';
import type { ContainerId } from '../../shared/domain/ids.js';
import { shortId } from '../../shared/domain/ids.js';
import type { ContainerDetails } from '../../shared/ipc/contract.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type { EngineMonitor } from './engine-monitor.js';
import type { DemoScenario, DemoScenarioPort, EnginePort } from './ports.js';
import { engineVerdict, engineWentAway } from './engine-verdict.js';
import type { EngineVerdict } from './engine-verdict.js';

/** How long a request waits for the first connection verdict while the monitor is still `connecting`. */
export const FIRST_VERDICT_WAIT_MS = 2500;

/** Lists and inspects containers: live from the engine, or from the demo scenario while it is unreachable. */
export interface ContainerService {
  list(): Promise<ContainerList>;
  /** Throws BulkheadError `not-found` for an id the current source does not know. */
  inspect(id: ContainerId): Promise<ContainerDetails>;
  /** Whether a demo scenario exists and loads. */
  demoAvailable(): Promise<boolean>;
  showDemoWhenDisconnected(): boolean;
  /** Returns whether the setting changed. */
  setShowDemoWhenDisconnected(value: boolean): boolean;
}

/** What the container service needs. */
export interface ContainerServiceDeps {
  readonly engine: EnginePort;
  readonly monitor: EngineMonitor;
  readonly demo: DemoScenarioPort;
  /** Default true. */
  readonly showDemoWhenDisconnected?: boolean;
  readonly firstVerdictWaitMs?: number;
}

/** `Docker 20.10.24 on linux/amd64`: how an engine is named on cards and in demo banners. */
export function describeEngine(info: EngineInfo): string {
  const platform = info.os !== '' && info.arch !== '' ? ` on ${info.os}/${info.arch}` : '';
  return `Docker ${info.version || '(unknown version)'}${platform}`;
}

/**
 * Create the container service.
 *
 * Connected: the live engine (`source: live`). Not connected: the demo scenario when one exists and the
 * setting allows it (`source: demo`, with the connection error as the reason), otherwise the connection
 * error is thrown. A live call that fails because the engine just went away is answered the same way, so
 * a request racing a disconnection still gets an honest answer.
 */
export function createContainerService(deps: ContainerServiceDeps): ContainerService {
  const { engine, monitor, demo } = deps;
  const waitMs = deps.firstVerdictWaitMs ?? FIRST_VERDICT_WAIT_MS;
  let showDemo = deps.showDemoWhenDisconnected ?? true;
  let scenario: Promise<{ scenario: DemoScenario | null; error: string | null }> | undefined;

  const loadDemo = (): Promise<{ scenario: DemoScenario | null; error: string | null }> => {
    // Loaded once; a corrupt file is reported, not retried on every request.
    scenario ??= demo.load().then(
      (s) => ({ scenario: s, error: null }),
      (e: unknown) => ({ scenario: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return scenario;
  };

  const verdict = async (): Promise<EngineVerdict> => engineVerdict(await monitor.settled(waitMs));

  /** The demo scenario to show for `error`, or the error itself when there is none. */
  const offline = async (error: { code: BulkheadError['code']; message: string }): Promise<DemoScenario> => {
    if (!showDemo) throw new BulkheadError(error.code, error.message);
    const loaded = await loadDemo();
    if (loaded.scenario === null) {
      const why = loaded.error === null ? '' : ` (demo scenario unusable: ${loaded.error})`;
      throw new BulkheadError(error.code, `${error.message}${why}`);
    }
    return loaded.scenario;
  };

  const demoList = (s: DemoScenario, reason: string): ContainerList => {
    const recordedOn = describeEngine(s.engine);
    const source: DataSource = { kind: 'demo', recordedAt: s.recordedAt, recordedOn, reason };
    return { source, engineName: recordedOn, containers: s.containers.map((c) => c.summary), problems: [] };
  };

  const demoInspect = (s: DemoScenario, id: ContainerId): ContainerDetails => {
    const found = s.containers.find((c) => c.summary.id === id);
    if (found === undefined)
      throw new BulkheadError('not-found', `no container ${shortId(id)} in the demo scenario`);
    return found;
  };

  return {
    async list() {
      const v = await verdict();
      if (v.kind === 'live') {
        try {
          const listing = await engine.listContainers();
          return {
            source: { kind: 'live' },
            engineName: describeEngine(v.engine),
            containers: listing.containers,
            problems: listing.problems,
          };
        } catch (e) {
          if (!engineWentAway(e)) throw e;
          return demoList(await offline(e), e.message);
        }
      }
      return demoList(await offline(v.error), v.error.message);
    },

    async inspect(id) {
      const v = await verdict();
      if (v.kind === 'live') {
        try {
          return await engine.inspectContainer(id);
        } catch (e) {
          if (!engineWentAway(e)) throw e;
          return demoInspect(await offline(e), id);
        }
      }
      return demoInspect(await offline(v.error), id);
    },

    async demoAvailable() {
      return (await loadDemo()).scenario !== null;
    },

    showDemoWhenDisconnected: () => showDemo,

    setShowDemoWhenDisconnected(value) {
      const changed = value !== showDemo;
      showDemo = value;
      return changed;
    },
  };
}
