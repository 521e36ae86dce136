import { DAEMON_RULES } from './daemon-rules/index.js';
import { mapEngineFacts } from './engine-facts.js';
import type { DecidedEngineFacts } from './engine-facts.js';
import { mapInspect, withEvidence } from './map-inspect.js';
import type {
  ContainerSnapshot,
  EngineFacts,
  EvidenceKind,
  ExecInfo,
  Finding,
  HostFacts,
  KernelEvidence,
  KernelFile,
  ProcessList,
} from './model.js';
import type { ContainerRule, DaemonRule, RuleMeta, RuleOutcome } from './rule.js';
import { CONTAINER_RULES } from './rules/index.js';
import { scoreFindings } from './score.js';
import type { PostureScore } from './score.js';

/**
 * Evaluation: rules over snapshots and engine facts, and the per-container / per-host assessment with its
 * error state. Pure; nothing here throws for bad input.
 */

function finding(rule: RuleMeta, outcome: RuleOutcome): Finding {
  return {
    ruleId: rule.id,
    cisId: rule.cisId,
    title: rule.title,
    severity: rule.severity,
    status: outcome.status,
    message: outcome.message,
    rationale: rule.rationale,
    evidence: outcome.evidence,
    remediation: rule.remediation,
    evidenceKind: outcome.evidenceKind,
  };
}

// A rule that throws is a bug; it becomes a visible `info` finding instead of taking the other findings down.
function guarded(rule: RuleMeta, run: () => RuleOutcome): Finding {
  try {
    return finding(rule, run());
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return finding(rule, {
      status: 'info',
      message: `This rule could not be evaluated (${message}).`,
      evidence: [],
      evidenceKind: 'configuration-only',
    });
  }
}

/** Run every container rule (or the given ones) over a snapshot. */
export function evaluatePosture(
  snapshot: ContainerSnapshot,
  host: HostFacts,
  rules: readonly ContainerRule[] = CONTAINER_RULES,
): Finding[] {
  return rules.map((rule) => guarded(rule, () => rule.evaluate(snapshot, host)));
}

/** Run every daemon rule (or the given ones) over the engine's facts. */
export function evaluateDaemon(facts: EngineFacts, rules: readonly DaemonRule[] = DAEMON_RULES): Finding[] {
  return rules.map((rule) => guarded(rule, () => rule.evaluate(facts)));
}

/**
 * HostFacts from what the wiring knows: the engine's facts (for its SecurityOptions) and, on a local engine,
 * what was read from the host. `local: null` means a remote engine: configuration only.
 */
export function buildHostFacts(
  engine: Pick<EngineFacts, 'securityOptions'> | null,
  local: { readonly lsms: KernelFile<readonly string[]>; readonly pidNamespace: string | null } | null,
): HostFacts {
  return {
    evidenceKind: local === null ? 'configuration-only' : 'kernel',
    lsms: local?.lsms ?? null,
    engineSecurityOptions: engine?.securityOptions ?? [],
    pidNamespace: local?.pidNamespace ?? null,
  };
}

/** What the wiring has for one container. */
export interface ContainerEvidenceInput {
  /** The engine's inspect document, untouched. */
  readonly inspect: unknown;
  /** Kernel evidence for State.Pid (local engine, running container), or null. */
  readonly kernel?: KernelEvidence | null;
  readonly processes?: ProcessList | null;
  readonly execs?: readonly ExecInfo[] | null;
}

/** One container's posture, or why it could not be assessed. */
export type ContainerPosture =
  | {
      readonly state: 'assessed';
      readonly snapshot: ContainerSnapshot;
      readonly findings: readonly Finding[];
      readonly score: PostureScore;
      /** `kernel` when at least one verdict followed the kernel. */
      readonly evidenceKind: EvidenceKind;
      /** Why some evidence is missing: malformed inspect fields, unreadable /proc files, a remote engine. */
      readonly notes: readonly string[];
    }
  | {
      readonly state: 'error';
      readonly id: string | null;
      readonly name: string | null;
      readonly error: { readonly code: 'bad-inspect'; readonly message: string };
    };

function kernelNotes(kernel: KernelEvidence): string[] {
  const notes: string[] = [];
  for (const file of [kernel.status, kernel.uidMap, kernel.attrCurrent, kernel.pidNamespace]) {
    if (file.ok) continue;
    // No LSM means no attr/current: that is a fact about the host, reported by the LSM rules, not a problem.
    if (file === kernel.attrCurrent && file.error.code === 'not-supported') continue;
    notes.push(
      `${file.path}: ${file.error.code} (${file.error.message}); the checks that need it use the configuration.`,
    );
  }
  return notes;
}

/**
 * Assess one container: map the inspect document, attach the evidence, run the rules and score them.
 *
 * A document that cannot name a container gives `state: 'error'`. Kernel evidence is dropped (with a note)
 * when the engine is remote or when it was read for a different PID than the inspect document's (the
 * container restarted in between): kernel evidence only wins when it is about this very process.
 */
export function assessContainer(input: ContainerEvidenceInput, host: HostFacts): ContainerPosture {
  const mapped = mapInspect(input.inspect);
  if (!mapped.ok) {
    return {
      state: 'error',
      id: mapped.id,
      name: mapped.name,
      error: { code: 'bad-inspect', message: mapped.problems.join('; ') },
    };
  }
  const notes = [...mapped.problems];
  let kernel = input.kernel ?? null;
  if (kernel !== null && host.evidenceKind === 'configuration-only') {
    notes.push(
      'Kernel evidence was ignored: the engine is remote, so /proc on this machine says nothing about it.',
    );
    kernel = null;
  }
  if (kernel !== null && kernel.pid !== mapped.snapshot.pid) {
    notes.push(
      `Kernel evidence for PID ${kernel.pid} was ignored: the container's init is PID ${mapped.snapshot.pid} (it restarted).`,
    );
    kernel = null;
  }
  if (kernel !== null) notes.push(...kernelNotes(kernel));
  if (host.evidenceKind === 'configuration-only')
    notes.push('Remote engine: every verdict rests on the configuration only.');
  else if (!mapped.snapshot.running)
    notes.push('Not running: every verdict rests on the configuration only.');
  const snapshot = withEvidence(mapped.snapshot, {
    kernel,
    processes: input.processes ?? null,
    execs: input.execs ?? null,
  });
  const findings = evaluatePosture(snapshot, host);
  return {
    state: 'assessed',
    snapshot,
    findings,
    score: scoreFindings(findings),
    evidenceKind: findings.some((f) => f.evidenceKind === 'kernel') ? 'kernel' : 'configuration-only',
    notes,
  };
}

/** The engine's posture (the host score), or why it could not be assessed. */
export type EnginePosture =
  | {
      readonly state: 'assessed';
      readonly facts: EngineFacts;
      readonly findings: readonly Finding[];
      readonly score: PostureScore;
      readonly notes: readonly string[];
    }
  | {
      readonly state: 'error';
      readonly error: { readonly code: 'bad-engine-info'; readonly message: string };
    };

/** Assess the engine from its info and version documents plus the facts the adapter decided. */
export function assessEngine(
  info: unknown,
  version: unknown,
  decided: DecidedEngineFacts = {},
): EnginePosture {
  const mapped = mapEngineFacts(info, version, decided);
  if (!mapped.ok)
    return { state: 'error', error: { code: 'bad-engine-info', message: mapped.problems.join('; ') } };
  const findings = evaluateDaemon(mapped.facts);
  return {
    state: 'assessed',
    facts: mapped.facts,
    findings,
    score: scoreFindings(findings),
    notes: mapped.problems,
  };
}
