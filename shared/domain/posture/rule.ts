import type {
  ContainerSnapshot,
  EngineFacts,
  Evidence,
  EvidenceKind,
  FindingStatus,
  HostFacts,
  Remediation,
  Severity,
} from './model.js';

/** What a rule decides; evaluate.ts adds the rule's id, CIS id, title, severity, rationale and remediation. */
export interface RuleOutcome {
  readonly status: FindingStatus;
  readonly message: string;
  readonly evidence: readonly Evidence[];
  readonly evidenceKind: EvidenceKind;
}

/** The fixed facts of a rule. */
export interface RuleMeta {
  /** kebab-case, stable: it names the rule in the UI, the CLI and in tests. */
  readonly id: string;
  /** CIS Docker Benchmark v1.6.0 recommendation number, or null where CIS has none. */
  readonly cisId: string | null;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly remediation: Remediation;
}

/** A posture rule over one container. Pure: same snapshot and host, same outcome. */
export interface ContainerRule extends RuleMeta {
  evaluate(snapshot: ContainerSnapshot, host: HostFacts): RuleOutcome;
}

/** A rule over the engine's configuration. Pure. */
export interface DaemonRule extends RuleMeta {
  evaluate(facts: EngineFacts): RuleOutcome;
}
