import { compareProfile } from '../../shared/domain/seccomp/compare.js';
import { generateProfile } from '../../shared/domain/seccomp/generate.js';
import { splitPhases } from '../../shared/domain/seccomp/phases.js';
import type { SyscallSpan } from '../../shared/domain/seccomp/phases.js';
import { DOCKER_DEFAULT_CAPS, parseSeccompProfile } from '../../shared/domain/seccomp/profile.js';
import type { SeccompProfile } from '../../shared/domain/seccomp/profile.js';
import type { HealthBoundary } from '../../shared/domain/seccomp/health.js';
import type { PhaseReport, SeccompReport } from '../../shared/domain/seccomp/report.js';
import type { SubjectTotals } from '../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../shared/domain/syscalls/model.js';
import type { SyscallArch } from '../../shared/domain/syscalls/names.js';
import type { RequestOf } from '../../shared/ipc/contract.js';
import type { ClientRef } from '../../shared/ipc/dispatch.js';
import { BulkheadError } from '../../shared/ipc/result.js';

/** Docker's default seccomp profile, read from a file the user points at (it is not bundled). */
export interface DefaultProfilePort {
  /** The file's path and text, or why there is none. */
  read(): Promise<{ readonly path: string; readonly text: string } | { readonly unavailable: string }>;
}

/** What the seccomp service needs. */
export interface SeccompServiceDeps {
  /** A subscription's totals since it started (the syscall service's). */
  readonly totals: (client: ClientRef, subId: string) => readonly SubjectTotals[];
  /** The architecture the engine's containers run on; null where Bulkhead has no syscall table for it. */
  readonly arch: SyscallArch | null;
  readonly defaultProfile: DefaultProfilePort;
  /**
   * When the container's health check first turned healthy (the start-up boundary), for a subject that is
   * a container on the engine; absent: the quiet rule alone decides.
   */
  readonly health?: (containerId: string) => Promise<HealthBoundary>;
}

/** The service behind `seccomp:generate`. */
export interface SeccompService {
  generate(client: ClientRef, request: RequestOf<'seccomp:generate'>): Promise<SeccompReport>;
}

const NOTE =
  'Docker cannot change the seccomp filter of a running container: use a profile for the next start (docker run --security-opt seccomp=FILE). The running-phase profile only fits a container that can be started past its start-up some other way.';

/**
 * Find a subject by its token (`<NA>`, `host`, or a container id): a container matches on the id the source
 * reported (sysdig's 12 digits) being a prefix of the one asked for, or the other way round.
 */
export function findSubject(totals: readonly SubjectTotals[], subject: string): SubjectTotals | null {
  for (const t of totals) {
    const token = subjectToken(t.subject);
    if (token === subject) return t;
    if (t.subject.kind === 'container' && token.length >= 12 && subject.length >= 12) {
      if (subject.startsWith(token) || token.startsWith(subject)) return t;
    }
  }
  return null;
}

/** Create the seccomp service. */
export function createSeccompService(deps: SeccompServiceDeps): SeccompService {
  let cachedDefault: Promise<{ path: string; profile: SeccompProfile } | { unavailable: string }> | null =
    null;
  const defaultProfile = (): Promise<{ path: string; profile: SeccompProfile } | { unavailable: string }> => {
    cachedDefault ??= deps.defaultProfile.read().then((r) => {
      if ('unavailable' in r) return r;
      let json: unknown;
      try {
        json = JSON.parse(r.text);
      } catch (e) {
        return { unavailable: `${r.path} is not JSON: ${e instanceof Error ? e.message : String(e)}` };
      }
      const parsed = parseSeccompProfile(json);
      return parsed.ok
        ? { path: r.path, profile: parsed.profile }
        : { unavailable: `${r.path} is not a seccomp profile: ${parsed.error.message}` };
    });
    return cachedDefault;
  };

  return {
    async generate(client, request) {
      const arch = deps.arch;
      if (arch === null)
        throw new BulkheadError(
          'bad-request',
          'Bulkhead has no syscall table for this machine’s architecture.',
        );
      const found = findSubject(deps.totals(client, request.subId), request.subject);
      if (found === null)
        throw new BulkheadError(
          'not-found',
          `No syscalls were observed for ${request.subject} in this subscription: start the source before the container, let it run, then generate.`,
        );
      const names = Object.keys(found.bySyscall);
      const whole = generateProfile(names, { arch });

      let phases: PhaseReport | null = null;
      if (found.firstSeen !== undefined && found.lastSeen !== undefined) {
        const spans: SyscallSpan[] = [];
        for (const name of names) {
          const first = found.firstSeen[name];
          const last = found.lastSeen[name];
          if (first !== undefined && last !== undefined)
            spans.push({ syscall: name, firstSeen: first, lastSeen: last });
        }
        let healthyAt = request.healthyAt ?? null;
        let health: PhaseReport['health'] = null;
        if (healthyAt === null && found.subject.kind === 'container' && deps.health !== undefined) {
          const h = await deps.health(found.subject.id).catch((e: unknown): HealthBoundary => ({
            healthyAt: null,
            basis: `the container could not be inspected (${e instanceof Error ? e.message : String(e)})`,
          }));
          healthyAt = h.healthyAt;
          health = { basis: h.basis, exact: h.healthyAt !== null && h.exact };
        } else if (healthyAt !== null)
          health = { basis: 'the health boundary given in the request', exact: true };
        const split = splitPhases(spans, {
          arch,
          ...(healthyAt !== null ? { healthyAt } : {}),
          ...(request.quietSeconds !== undefined ? { quietSeconds: request.quietSeconds } : {}),
        });
        phases = {
          boundary: split.boundary,
          startupSet: split.startupSet,
          runningSet: split.runningSet,
          startupOnly: split.startupOnly,
          running:
            split.runningProfile === null
              ? null
              : { json: split.runningProfile.json, metadata: split.runningProfile.metadata },
          reduction: split.reduction,
          health,
        };
      }

      const dflt = await defaultProfile();
      let versusDefault: SeccompReport['versusDefault'];
      if ('unavailable' in dflt) versusDefault = { available: false, reason: dflt.unavailable };
      else {
        const generated = parseSeccompProfile(JSON.parse(whole.json) as unknown);
        if (!generated.ok)
          throw new BulkheadError('internal', `generated profile: ${generated.error.message}`);
        versusDefault = {
          available: true,
          path: dflt.path,
          comparison: compareProfile(names, generated.profile, dflt.profile, {
            arch,
            caps: DOCKER_DEFAULT_CAPS,
          }),
        };
      }
      return {
        subject: found.subject,
        arch,
        observedEvents: found.total,
        observedNames: names.length,
        whole: { json: whole.json, metadata: whole.metadata },
        phases,
        versusDefault,
        note: NOTE,
      };
    },
  };
}
