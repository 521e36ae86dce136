import type { ConnectionState } from '../../shared/domain/engine.js';
import type { LabRole } from '../../shared/domain/lab.js';
import {
  attackStartLine,
  attackStepLine,
  attackSummaryLine,
  describeResult,
  DOWN_NOTHING_LINE,
  downRemovedLine,
  resultTone,
  upConflictLine,
  upHeaderLine,
  upProfileLine,
} from '../../shared/domain/lab.js';
import type { LabDone, LabLine, LabOp, LabOpView, LabStatusReport } from '../../shared/ipc/contract.js';
import { Pushes } from '../../shared/ipc/contract.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type { PushEnvelope } from './app-core.js';
import type { LabPort } from './lab-ports.js';
import type { Clock } from './ports.js';

/**
 * The demo lab in the app (`lab:*` channels): the same lab functions as `bulkhead lab up|attack|down`,
 * through the LabPort, and the same one-line messages (shared/domain/lab.ts), pushed as `lab:progress`
 * to every client as each step ends.
 *
 * One operation at a time: `start` answers at once with the operation's id (an attack takes several
 * seconds, longer than a request may wait) and refuses a second one while the first runs. The running
 * operation, or the last one, is kept with its lines for `lab:status`, so a window opened later sees it.
 * Nothing runs while the engine is not connected, or when it is not on this machine.
 */

/** What the lab service needs. */
export interface LabServiceDeps {
  /** Null when the lab is not part of this build. */
  readonly lab: LabPort | null;
  /** The engine connection as the monitor last announced it. */
  readonly engineState: () => ConnectionState;
  readonly clock: Clock;
  readonly publish: (push: PushEnvelope) => void;
  /** Pause between attack steps; default 1000 ms, as `bulkhead lab attack`. */
  readonly pauseMs?: number;
}

/** The service behind `lab:status`, `lab:up`, `lab:attack` and `lab:down`. */
export interface LabService {
  status(): Promise<LabStatusReport>;
  /** Start an operation; throws BulkheadError when the lab cannot run or is busy. */
  start(op: LabOp, target: LabRole | null): { readonly opId: string };
  /** Resolves once no operation runs (tests, shutdown). */
  idle(): Promise<void>;
  dispose(): void;
}

/** Lines kept per operation (an attack has 16). */
export const MAX_LAB_LINES = 200;

const DEFAULT_PAUSE_MS = 1000;

/** Why nothing can run while the engine is in this state, or null when it is connected. */
export function engineBlocked(state: ConnectionState): string | null {
  switch (state.phase) {
    case 'connected':
      return null;
    case 'connecting':
      return `Connecting to the Docker engine at ${state.endpoint.url}: the lab needs it.`;
    case 'disconnected':
      return `No Docker engine is reachable at ${state.endpoint.url} (${state.error.message}): the lab runs on the local engine.`;
    default:
      return assertNever(state, 'connection phase');
  }
}

function describeOp(op: LabOp, target: LabRole | null): string {
  return op === 'attack' ? `the attack on ${target ?? '?'}` : `lab ${op}`;
}

/** Create the lab service. */
export function createLabService(deps: LabServiceDeps): LabService {
  const { clock } = deps;
  const pauseMs = deps.pauseMs ?? DEFAULT_PAUSE_MS;
  let current: { view: LabOpView; lines: LabLine[] } | null = null;
  let running: Promise<void> | null = null;
  let nextId = 1;
  let disposed = false;

  /** Why no operation can run now (not wired, no engine, remote), or null. */
  const blockedNow = (): string | null => {
    if (deps.lab === null) return 'The demo lab is not part of this build.';
    const engine = engineBlocked(deps.engineState());
    if (engine !== null) return engine;
    try {
      const ep = deps.lab.endpoint();
      if (!ep.local)
        return `The engine at ${ep.url} is not on this machine; the lab creates deliberately unsafe containers, so it runs only against a local engine.`;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    return null;
  };

  const view = (): LabOpView | null =>
    current === null ? null : { ...current.view, lines: [...current.lines] };

  return {
    async status() {
      const op = view();
      const blocked = blockedNow();
      let engine: string | null;
      try {
        engine = deps.lab?.endpoint().url ?? null;
      } catch {
        engine = null;
      }
      if (blocked !== null || deps.lab === null)
        return { engine, blocked, upBlocked: null, containers: [], op };
      try {
        const s = await deps.lab.status();
        return { engine: s.engine, blocked: null, upBlocked: s.upBlocked, containers: s.containers, op };
      } catch (e) {
        return {
          engine,
          blocked: e instanceof Error ? e.message : String(e),
          upBlocked: null,
          containers: [],
          op,
        };
      }
    },

    start(op, target) {
      if (disposed) throw new BulkheadError('internal', 'the lab service has been shut down');
      const blocked = blockedNow();
      if (blocked !== null || deps.lab === null) {
        const code = deps.engineState().phase === 'connected' ? 'docker-error' : 'docker-unreachable';
        throw new BulkheadError(code, blocked ?? 'The demo lab is not part of this build.');
      }
      if (current !== null && current.view.done === null)
        throw new BulkheadError(
          'bad-request',
          `the lab is busy: ${describeOp(current.view.op, current.view.target)} is still running`,
        );
      if (op === 'attack' && target === null)
        throw new BulkheadError('bad-request', 'an attack needs a target role');
      const lab = deps.lab;
      const opId = `lab-${nextId++}`;
      const role = op === 'attack' ? target : null;
      const lines: LabLine[] = [];
      const entry: { view: LabOpView; lines: LabLine[] } = {
        view: { opId, op, target: role, startedAt: clock.now(), lines: [], done: null },
        lines,
      };
      current = entry;
      const say = (tone: LabLine['tone'], text: string): void => {
        if (current !== entry) return;
        const line = { text, tone };
        if (lines.length < MAX_LAB_LINES) lines.push(line);
        deps.publish({
          channel: Pushes.labProgress,
          payload: { opId, op, target: role, line, done: null },
        });
      };
      const finish = (done: LabDone): void => {
        if (current !== entry) return;
        entry.view = { ...entry.view, done };
        deps.publish({ channel: Pushes.labProgress, payload: { opId, op, target: role, line: null, done } });
      };

      const work = async (): Promise<LabDone> => {
        switch (op) {
          case 'up': {
            say('info', upHeaderLine(lab.endpoint().url));
            const report = await lab.up((e) =>
              say(e.outcome === 'conflict' ? 'error' : e.outcome === 'refused' ? 'failed' : 'info', e.line),
            );
            say('info', upProfileLine(report));
            const conflicts = upConflictLine(report);
            if (conflicts !== null) return { ok: false, error: { code: 'docker-error', message: conflicts } };
            const running = report.entries.filter((e) => e.outcome === 'started' || e.outcome === 'running');
            const refused = report.entries.filter((e) => e.outcome === 'refused');
            return {
              ok: true,
              summary: `lab up: ${running.length} of ${report.entries.length} running${refused.length > 0 ? `, ${refused.map((r) => r.role).join(', ')} refused by the engine` : ''}`,
            };
          }
          case 'attack': {
            const report = await lab.attack(role!, {
              pauseMs,
              onStart: (c, steps) => say('info', attackStartLine(c, steps, pauseMs)),
              onStepStart: (step, i, of) => say('step', attackStepLine(step, i, of)),
              onStepResult: (r) => say(resultTone(r), describeResult(r)),
            });
            return { ok: true, summary: attackSummaryLine(report) };
          }
          case 'down': {
            const report = await lab.down((c) => say('info', downRemovedLine(c)));
            if (report.removed.length === 0) say('info', DOWN_NOTHING_LINE);
            return {
              ok: true,
              summary: `lab down: removed ${report.removed.length} lab container${report.removed.length === 1 ? '' : 's'}`,
            };
          }
          default:
            return assertNever(op, 'lab op');
        }
      };

      running = work().then(
        (done) => {
          if (!done.ok) say('error', done.error.message);
          finish(done);
        },
        (e: unknown) => {
          const error = {
            code: e instanceof BulkheadError ? e.code : ('internal' as const),
            message: e instanceof Error ? e.message : String(e),
          };
          say('error', error.message);
          finish({ ok: false, error });
        },
      );
      return { opId };
    },

    async idle() {
      while (running !== null) {
        const r = running;
        await r;
        if (running === r) running = null;
      }
    },

    dispose() {
      disposed = true;
    },
  };
}
