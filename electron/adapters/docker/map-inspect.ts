import { CONTAINER_STATES } from '../../../shared/domain/container.js';
import type { ContainerState, ContainerSummary } from '../../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { isContainerId } from '../../../shared/domain/ids.js';

/**
 * The outcome of mapping one `docker inspect` document.
 *
 * `ok: false` when the document lacks what a summary cannot do without (a full id, a known state, a creation
 * time); `ok: true` with `problems` when optional fields were missing or odd and were replaced by neutral
 * values (each problem names the field).
 */
export type MapInspectResult =
  | { readonly ok: true; readonly summary: ContainerSummary; readonly problems: readonly string[] }
  | {
      readonly ok: false;
      /** The id, when the document had a usable one. */
      readonly id: ContainerId | null;
      readonly name: string;
      readonly message: string;
    };

/** Docker's zero `time.Time`, which it reports for "never". */
const ZERO_TIME_PREFIX = '0001-01-01T';

type Doc = Record<string, unknown>;

function asRecord(value: unknown): Doc | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : undefined;
}

/**
 * Parse an engine timestamp to epoch ms.
 *
 * Returns null for Docker's zero time and for an empty value, undefined for something unparseable.
 */
export function parseEngineTime(value: unknown): EpochMillis | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return undefined;
  if (value.startsWith(ZERO_TIME_PREFIX)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? (ms as EpochMillis) : undefined;
}

function isState(value: unknown): value is ContainerState {
  return typeof value === 'string' && (CONTAINER_STATES as readonly string[]).includes(value);
}

/**
 * Map an inspect document (plus the status text from the list call) to a ContainerSummary.
 *
 * Pure and total: it never throws, whatever the document looks like.
 */
export function mapInspect(doc: unknown, listStatus?: string): MapInspectResult {
  const root = asRecord(doc);
  const rawName = root?.Name;
  const name = typeof rawName === 'string' ? rawName.replace(/^\//, '') : '';
  if (root === undefined) {
    return { ok: false, id: null, name, message: 'inspect document is not an object' };
  }
  const rawId = root.Id;
  if (typeof rawId !== 'string' || !isContainerId(rawId)) {
    return { ok: false, id: null, name, message: 'inspect document has no full 64-hex Id' };
  }
  const id = rawId;
  const fail = (message: string): MapInspectResult => ({ ok: false, id, name, message });

  const stateDoc = asRecord(root.State);
  if (stateDoc === undefined) return fail('inspect document has no State object');
  const state = stateDoc.Status;
  if (!isState(state)) return fail(`unknown State.Status ${JSON.stringify(state)}`);
  const createdAt = parseEngineTime(root.Created);
  if (createdAt === null || createdAt === undefined) {
    return fail(`unusable Created time ${JSON.stringify(root.Created)}`);
  }

  const problems: string[] = [];
  if (typeof rawName !== 'string' || name === '') problems.push('Name missing');

  const config = asRecord(root.Config);
  if (config === undefined) problems.push('Config missing');
  const image = typeof config?.Image === 'string' ? config.Image : '';
  if (config !== undefined && image === '') problems.push('Config.Image missing');
  const imageId = typeof root.Image === 'string' ? root.Image : '';
  if (imageId === '') problems.push('Image missing');

  const time = (key: 'StartedAt' | 'FinishedAt'): EpochMillis | null => {
    const t = parseEngineTime(stateDoc[key]);
    if (t === undefined) {
      problems.push(`State.${key} unparseable: ${JSON.stringify(stateDoc[key])}`);
      return null;
    }
    return t;
  };
  const startedAt = time('StartedAt');
  const finishedAt = time('FinishedAt');

  const rawPid = stateDoc.Pid;
  let pid = 0;
  if (typeof rawPid === 'number' && Number.isInteger(rawPid) && rawPid >= 0) pid = rawPid;
  else problems.push(`State.Pid not a pid: ${JSON.stringify(rawPid)}`);

  const rawExit = stateDoc.ExitCode;
  let exitCode: number | null = null;
  if (typeof rawExit !== 'number' || !Number.isInteger(rawExit)) {
    problems.push(`State.ExitCode not an integer: ${JSON.stringify(rawExit)}`);
  } else if (state !== 'running' && state !== 'paused' && !(finishedAt === null && rawExit === 0)) {
    // A running container has no exit code; one that never ran reports 0, which means nothing. A container
    // that failed to start (state `created`, exit 127) keeps its code.
    exitCode = rawExit;
  }

  const labels: Record<string, string> = {};
  const rawLabels = config?.Labels;
  if (rawLabels !== null && rawLabels !== undefined) {
    const record = asRecord(rawLabels);
    if (record === undefined) problems.push('Config.Labels not an object');
    else {
      for (const [k, v] of Object.entries(record)) {
        if (typeof v === 'string') labels[k] = v;
        else problems.push(`label ${JSON.stringify(k)} is not a string`);
      }
    }
  }

  const status = typeof listStatus === 'string' && listStatus !== '' ? listStatus : fallbackStatus(state);

  return {
    ok: true,
    summary: {
      id,
      name,
      image,
      imageId,
      state,
      status,
      createdAt,
      startedAt,
      finishedAt,
      exitCode,
      pid: state === 'running' || state === 'paused' || state === 'restarting' ? pid : 0,
      labels,
    },
    problems,
  };
}

/** Status text when the list call did not provide one (e.g. a container inspected on its own). */
function fallbackStatus(state: ContainerState): string {
  return state.charAt(0).toUpperCase() + state.slice(1);
}
