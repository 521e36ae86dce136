import Docker from 'dockerode';

import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { EngineInfo } from '../../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { isContainerId, shortId } from '../../../shared/domain/ids.js';
import type { ContainerDetails } from '../../../shared/ipc/contract.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type {
  ContainerListing,
  Disposable,
  EngineDocuments,
  EngineEvent,
  EnginePort,
  InspectedContainer,
} from '../../services/ports.js';
import type { ResolvedEndpoint } from './endpoint.js';
import { classifyDockerError, codedError } from './errors.js';
import { createJsonLineDecoder } from './json-lines.js';
import { mapInspect } from './map-inspect.js';

/** How many containers are inspected at once while listing. */
export const INSPECT_CONCURRENCY = 16;

/** Upper bound for one describe/list/inspect request, so a hung engine cannot hold a caller forever. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The subset of dockerode this adapter uses, with the `abortSignal` option dockerode 5 accepts at run time. */
interface Signalled {
  readonly abortSignal?: AbortSignal;
}
interface DockerCalls {
  ping(opts: Signalled): Promise<unknown>;
  version(opts: Signalled): Promise<unknown>;
  info(opts: Signalled): Promise<unknown>;
  listContainers(opts: Signalled & { all: boolean; filters?: string }): Promise<unknown>;
  getEvents(opts: Signalled): Promise<NodeJS.ReadableStream>;
  getContainer(id: string): { inspect(opts: Signalled): Promise<unknown> };
}

/** A live event subscription; `skipped` counts stream lines that were not valid events. */
export interface EventWatch extends Disposable {
  readonly skipped: number;
}

/** Options for tests and tuning. */
export interface DockerEngineOptions {
  readonly inspectConcurrency?: number;
}

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Map one decoded line of `/events` to an EngineEvent, or null when it is not a usable event. */
export function toEngineEvent(value: unknown): EngineEvent | null {
  const v = rec(value);
  if (v === undefined) return null;
  const actor = rec(v.Actor);
  // Old engines (API < 1.22) send only status/id/from for container events.
  const type = typeof v.Type === 'string' ? v.Type : typeof v.status === 'string' ? 'container' : '';
  const action = typeof v.Action === 'string' ? v.Action : str(v.status);
  const id = typeof actor?.ID === 'string' ? actor.ID : str(v.id);
  let time: number;
  if (typeof v.timeNano === 'number' && Number.isFinite(v.timeNano)) time = Math.floor(v.timeNano / 1e6);
  else if (typeof v.time === 'number' && Number.isFinite(v.time)) time = v.time * 1000;
  else return null;
  if (type === '' || action === '') return null;
  return { type, action, id, time: time as EpochMillis };
}

/** Run `fn` with `limit` workers over `items`, keeping order; stops handing out work after a rejection. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * The Docker engine over dockerode.
 *
 * Lists with `GET /containers/json?all=1` and inspects each container (at most `inspectConcurrency` at a
 * time): a container that vanished in between (404) is left out, other per-container failures become
 * `problems`. Every failure is thrown as a BulkheadError classified in errors.ts.
 */
export function createDockerEngine(
  resolved: ResolvedEndpoint,
  options: DockerEngineOptions = {},
): EnginePort {
  const endpoint = resolved.description;
  const concurrency = options.inspectConcurrency ?? INSPECT_CONCURRENCY;
  const classify = (e: unknown): BulkheadError => classifyDockerError(e, endpoint);

  let client: DockerCalls | undefined;
  const docker = (): DockerCalls => {
    // docker-modem reads DOCKER_* from process.env in its constructor and may throw on a bad value.
    client ??= new Docker(resolved.dockerodeOptions) as unknown as DockerCalls;
    return client;
  };

  /** Run a request with a deadline; a missed deadline aborts it and reads as ETIMEDOUT. */
  const timed = async <T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(codedError('ETIMEDOUT', `${what} did not answer within ${ms} ms`));
      }, ms);
    });
    try {
      return await Promise.race([fn(controller.signal), deadline]);
    } catch (e) {
      throw classify(e);
    } finally {
      clearTimeout(timer);
    }
  };

  const inspectRaw = (id: string): Promise<unknown> =>
    timed(REQUEST_TIMEOUT_MS, 'inspect', (abortSignal) => docker().getContainer(id).inspect({ abortSignal }));

  const listRaw = async (filters?: string): Promise<Rec[]> => {
    const answer = await timed(REQUEST_TIMEOUT_MS, 'list', (abortSignal) =>
      docker().listContainers(
        filters === undefined ? { all: true, abortSignal } : { all: true, filters, abortSignal },
      ),
    );
    if (!Array.isArray(answer)) {
      throw new BulkheadError(
        'docker-error',
        `Docker engine at ${endpoint.url} answered the container list with a non-list`,
      );
    }
    return answer.map((entry) => rec(entry)).filter((entry): entry is Rec => entry !== undefined);
  };

  const nameOf = (entry: Rec): string => {
    const names = entry.Names;
    const first = Array.isArray(names) ? (names[0] as unknown) : undefined;
    return typeof first === 'string' ? first.replace(/^\//, '') : '';
  };

  return {
    endpoint,

    async ping(timeoutMs) {
      await timed(timeoutMs, 'ping', (abortSignal) => docker().ping({ abortSignal }));
    },

    async describe(): Promise<EngineInfo> {
      const [version, info] = await Promise.all([
        timed(REQUEST_TIMEOUT_MS, 'version', (abortSignal) => docker().version({ abortSignal })),
        timed(REQUEST_TIMEOUT_MS, 'info', (abortSignal) => docker().info({ abortSignal })),
      ]);
      const v = rec(version) ?? {};
      const i = rec(info) ?? {};
      return {
        id: str(i.ID),
        name: str(i.Name),
        version: str(v.Version),
        apiVersion: str(v.ApiVersion),
        os: str(v.Os) || str(i.OSType),
        arch: str(v.Arch) || str(i.Architecture),
        kernelVersion: str(v.KernelVersion) || str(i.KernelVersion),
        operatingSystem: str(i.OperatingSystem),
      };
    },

    async listContainers(): Promise<ContainerListing> {
      const entries = (await listRaw()).filter((e): e is Rec & { Id: ContainerId } =>
        isContainerId(str(e.Id)),
      );
      const problems: { id: ContainerId; name: string; message: string }[] = [];
      const mapped = await mapLimit(entries, concurrency, async (entry): Promise<ContainerSummary | null> => {
        const name = nameOf(entry);
        let doc: unknown;
        try {
          doc = await inspectRaw(entry.Id);
        } catch (e) {
          const error = classify(e);
          if (error.code === 'not-found') return null; // removed between list and inspect: it is gone
          // The engine itself went away: the whole list fails, not each container.
          if (error.code === 'docker-unreachable' || error.code === 'docker-permission-denied') throw error;
          problems.push({ id: entry.Id, name, message: error.message });
          return null;
        }
        const result = mapInspect(doc, str(entry.Status));
        if (!result.ok) {
          problems.push({ id: entry.Id, name: result.name || name, message: result.message });
          return null;
        }
        if (result.problems.length > 0) {
          problems.push({
            id: entry.Id,
            name: result.summary.name,
            message: `listed with gaps: ${result.problems.join('; ')}`,
          });
        }
        return result.summary;
      });
      return { containers: mapped.filter((c): c is ContainerSummary => c !== null), problems };
    },

    async inspectContainers(ids?: readonly ContainerId[]): Promise<readonly InspectedContainer[]> {
      const listed = (await listRaw()).filter((e): e is Rec & { Id: ContainerId } =>
        isContainerId(str(e.Id)),
      );
      const wanted = ids === undefined ? null : new Set<string>(ids);
      const entries = wanted === null ? listed : listed.filter((e) => wanted.has(e.Id));
      const inspected = await mapLimit(entries, concurrency, async (entry): Promise<InspectedContainer> => {
        const name = nameOf(entry);
        try {
          return { ok: true, id: entry.Id, name, inspect: await inspectRaw(entry.Id) };
        } catch (e) {
          const error = classify(e);
          // The engine itself went away: the whole run fails, not each container.
          if (error.code === 'docker-unreachable' || error.code === 'docker-permission-denied') throw error;
          const message =
            error.code === 'not-found'
              ? `container ${shortId(entry.Id)} was removed between list and inspect`
              : error.message;
          return { ok: false, id: entry.Id, name, error: { code: error.code, message } };
        }
      });
      const found = new Set<string>(entries.map((e) => e.Id));
      const missing: InspectedContainer[] = (ids ?? [])
        .filter((id, i, all) => !found.has(id) && all.indexOf(id) === i)
        .map((id) => ({
          ok: false,
          id,
          name: '',
          error: { code: 'not-found', message: `no container ${shortId(id)} on ${endpoint.url}` },
        }));
      return [...inspected, ...missing];
    },

    async engineDocuments(): Promise<EngineDocuments> {
      const [info, version] = await Promise.all([
        timed(REQUEST_TIMEOUT_MS, 'info', (abortSignal) => docker().info({ abortSignal })),
        timed(REQUEST_TIMEOUT_MS, 'version', (abortSignal) => docker().version({ abortSignal })),
      ]);
      return { info, version };
    },

    async inspectContainer(id: ContainerId): Promise<ContainerDetails> {
      const [inspected, listed] = await Promise.allSettled([
        inspectRaw(id),
        listRaw(JSON.stringify({ id: [id] })),
      ]);
      if (inspected.status === 'rejected') {
        const error = classify(inspected.reason);
        if (error.code === 'not-found') {
          throw new BulkheadError('not-found', `no container ${shortId(id)} on ${endpoint.url}`, {
            cause: error,
          });
        }
        throw error;
      }
      const entry = listed.status === 'fulfilled' ? listed.value.find((e) => e.Id === id) : undefined;
      const result = mapInspect(inspected.value, entry === undefined ? undefined : str(entry.Status));
      if (!result.ok) {
        throw new BulkheadError('docker-error', `container ${shortId(id)}: ${result.message}`);
      }
      return { summary: result.summary, inspect: inspected.value };
    },

    watchEvents(onEvent, onEnd): EventWatch {
      const controller = new AbortController();
      const decoder = createJsonLineDecoder();
      let invalid = 0;
      let ended = false;
      let stream: NodeJS.ReadableStream | undefined;
      const end = (error: Error | null): void => {
        if (ended) return;
        ended = true;
        controller.abort();
        (stream as { destroy?: () => void } | undefined)?.destroy?.();
        onEnd(error);
      };
      const deliver = (values: unknown[]): void => {
        for (const value of values) {
          const event = toEngineEvent(value);
          if (event === null) invalid += 1;
          else if (!ended) onEvent(event);
        }
      };
      const closed = (): void =>
        end(
          new BulkheadError(
            'docker-unreachable',
            `Docker engine not reachable at ${endpoint.url} (event stream closed)`,
          ),
        );

      const open = async (): Promise<NodeJS.ReadableStream> =>
        docker().getEvents({ abortSignal: controller.signal });
      open().then(
        (s) => {
          stream = s;
          if (ended) {
            (s as { destroy?: () => void }).destroy?.();
            return;
          }
          s.on('data', (chunk: Buffer | string) => deliver(decoder.push(chunk)));
          s.on('end', () => {
            deliver(decoder.end());
            closed();
          });
          s.on('error', (e: unknown) => end(classify(e)));
          s.on('close', closed);
        },
        (e: unknown) => end(classify(e)),
      );

      return {
        dispose: () => end(null),
        get skipped() {
          return decoder.malformed + invalid;
        },
      };
    },
  };
}
