import type { Namespaces, Severity, Remediation } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/** The shared shape of the "does not share the host's X namespace" rules (network, IPC, UTS). */
export function hostNamespaceRule(spec: {
  readonly id: string;
  readonly cisId: string | null;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly remediation: Remediation;
  readonly namespace: keyof Namespaces;
  /** The HostConfig field, e.g. `HostConfig.NetworkMode`. */
  readonly field: string;
  /** What the namespace isolates, for messages: `network stack`, `IPC namespace`. */
  readonly noun: string;
  /** Status when the container shares the host's namespace. */
  readonly sharedStatus?: 'fail' | 'warn';
}): ContainerRule {
  return {
    id: spec.id,
    cisId: spec.cisId,
    title: spec.title,
    severity: spec.severity,
    rationale: spec.rationale,
    remediation: spec.remediation,
    evaluate(s) {
      const mode = s.namespaces[spec.namespace];
      if (mode === null) return notReported(spec.field);
      const evidence = [fromInspect(spec.field, mode.raw)];
      if (mode.kind === 'host')
        return configOutcome(spec.sharedStatus ?? 'fail', `Shares the host's ${spec.noun}.`, evidence);
      if (mode.kind === 'container') {
        return configOutcome(
          'pass',
          `Joins container ${mode.target ?? '?'}'s ${spec.noun}; that container's own setting decides whether it is the host's.`,
          evidence,
        );
      }
      return configOutcome('pass', `Has its own ${spec.noun}.`, evidence);
    },
  };
}
