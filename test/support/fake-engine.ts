import type { ContainerSummary } from '../../shared/domain/container.js';
import type { EndpointDescription, EngineInfo } from '../../shared/domain/engine.js';
import type { ContainerId } from '../../shared/domain/ids.js';
import { shortId } from '../../shared/domain/ids.js';
import type { ContainerDetails } from '../../shared/ipc/contract.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import type {
  ContainerListing,
  EngineDocuments,
  EngineEvent,
  EnginePort,
  InspectedContainer,
} from '../../electron/services/ports.js';

/** How the fake engine answers: up, refusing connections, or hung (calls never settle). */
export type FakeEngineMode = 'up' | 'down' | 'hung';

/** A scriptable EnginePort for state-machine tests; it is a test double and never shown as real data. */
export interface FakeEngine extends EnginePort {
  mode: FakeEngineMode;
  containers: ContainerSummary[];
  /** Raw inspect documents by id for inspectContainers/inspectContainer; default `{ Id: id }`. */
  documents: Map<string, unknown>;
  /** Ids that are listed but gone by the time they are inspected (404 between list and inspect). */
  vanishing: Set<string>;
  /** What engineDocuments() answers. */
  engineDocs: EngineDocuments;
  readonly calls: {
    ping: number;
    describe: number;
    list: number;
    watch: number;
    /** Inspect requests (one per container inspected), by inspectContainer and inspectContainers. */
    inspect: number;
    engineDocuments: number;
  };
  /** Number of event subscriptions currently open. */
  openWatches(): number;
  /** Deliver an event to every open subscription. */
  emit(event: EngineEvent): void;
  /** End every open subscription with an error, as a stopped engine does. */
  breakStreams(error?: Error): void;
}

/** The endpoint every fake engine claims; a path no real engine uses. */
export const FAKE_ENDPOINT: EndpointDescription = {
  url: 'unix:///fake/docker.sock',
  transport: 'unix',
  tls: false,
  source: 'test',
  local: true,
};

/** What a fake engine's describe() answers. */
export const FAKE_INFO: EngineInfo = {
  id: 'FAKE:ENGINE',
  name: 'fake-host',
  version: '99.0.0',
  apiVersion: '1.99',
  os: 'linux',
  arch: 'amd64',
  kernelVersion: '6.0.0',
  operatingSystem: 'Fake OS',
};

/** Create a FakeEngine, initially `up`. */
export function createFakeEngine(): FakeEngine {
  const watches = new Set<{ onEvent: (e: EngineEvent) => void; end: (e: Error | null) => void }>();
  const downError = (): BulkheadError =>
    new BulkheadError(
      'docker-unreachable',
      `Docker engine not reachable at ${FAKE_ENDPOINT.url} (ECONNREFUSED)`,
    );
  const gate = async <T>(value: () => T): Promise<T> => {
    if (engine.mode === 'hung') return new Promise<T>(() => undefined);
    if (engine.mode === 'down') throw downError();
    return value();
  };

  const engine: FakeEngine = {
    endpoint: FAKE_ENDPOINT,
    mode: 'up',
    containers: [],
    documents: new Map(),
    vanishing: new Set(),
    engineDocs: { info: { ID: FAKE_INFO.id, Name: FAKE_INFO.name }, version: { Version: FAKE_INFO.version } },
    calls: { ping: 0, describe: 0, list: 0, watch: 0, inspect: 0, engineDocuments: 0 },
    ping() {
      engine.calls.ping += 1;
      return gate(() => undefined);
    },
    describe() {
      engine.calls.describe += 1;
      return gate(() => FAKE_INFO);
    },
    listContainers(): Promise<ContainerListing> {
      engine.calls.list += 1;
      return gate(() => ({ containers: [...engine.containers], problems: [] }));
    },
    inspectContainer(id: ContainerId): Promise<ContainerDetails> {
      return gate(() => {
        engine.calls.inspect += 1;
        const summary = engine.containers.find((c) => c.id === id);
        if (summary === undefined || engine.vanishing.has(id))
          throw new BulkheadError('not-found', `no container ${shortId(id)}`);
        return { summary, inspect: engine.documents.get(id) ?? { Id: id } };
      });
    },
    inspectContainers(ids?: readonly ContainerId[]): Promise<readonly InspectedContainer[]> {
      engine.calls.list += 1;
      return gate(() => {
        const listed = engine.containers.filter((c) => ids === undefined || ids.includes(c.id));
        const entries = listed.map((c): InspectedContainer => {
          engine.calls.inspect += 1;
          if (engine.vanishing.has(c.id))
            return {
              ok: false,
              id: c.id,
              name: c.name,
              error: { code: 'not-found', message: `container ${shortId(c.id)} was removed` },
            };
          return { ok: true, id: c.id, name: c.name, inspect: engine.documents.get(c.id) ?? { Id: c.id } };
        });
        const missing = (ids ?? [])
          .filter((id) => !listed.some((c) => c.id === id))
          .map((id): InspectedContainer => ({
            ok: false,
            id,
            name: '',
            error: { code: 'not-found', message: `no container ${shortId(id)}` },
          }));
        return [...entries, ...missing];
      });
    },
    engineDocuments(): Promise<EngineDocuments> {
      engine.calls.engineDocuments += 1;
      return gate(() => engine.engineDocs);
    },
    watchEvents(onEvent, onEnd) {
      engine.calls.watch += 1;
      let ended = false;
      const entry = {
        onEvent,
        end: (e: Error | null) => {
          if (ended) return;
          ended = true;
          watches.delete(entry);
          onEnd(e);
        },
      };
      watches.add(entry);
      if (engine.mode === 'down') queueMicrotask(() => entry.end(downError()));
      return { dispose: () => entry.end(null) };
    },
    openWatches: () => watches.size,
    emit(event) {
      for (const w of [...watches]) w.onEvent(event);
    },
    breakStreams(error = downError()) {
      for (const w of [...watches]) w.end(error);
    },
  };
  return engine;
}
