import type { EngineFacts, Evidence, FindingStatus } from '../model.js';
import type { RuleOutcome } from '../rule.js';

/** Helpers shared by the daemon rules. Daemon findings are always configuration: the engine's own report. */

/** An evidence record from the engine's info/version documents (or a fact the adapter decided). */
export function fromEngine(field: string, value: unknown): Evidence {
  const text =
    typeof value === 'string'
      ? value === ''
        ? '""'
        : value
      : value === null
        ? '(unknown)'
        : JSON.stringify(value);
  return { source: 'engine', field, value: text };
}

/** A daemon outcome. */
export function outcome(status: FindingStatus, message: string, evidence: readonly Evidence[]): RuleOutcome {
  return { status, message, evidence, evidenceKind: 'configuration-only' };
}

/** The outcome for a fact nobody could determine. */
export function unknownFact(what: string, field: string): RuleOutcome {
  return outcome('info', `${what} could not be determined from the engine API or the host.`, [
    fromEngine(field, null),
  ]);
}

/** The names of the engine's security options, for evidence. */
export function securityOptionNames(f: EngineFacts): string {
  return (
    f.securityOptions
      .map((o) =>
        Object.keys(o.options).length === 0
          ? o.name
          : `${o.name}(${Object.entries(o.options)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')})`,
      )
      .join(', ') || '(none)'
  );
}
