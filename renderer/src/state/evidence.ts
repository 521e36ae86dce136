import type { Evidence, EvidenceSource, Finding } from '../../../shared/domain/posture/model.js';
import { assertNever } from '../../../shared/util/assert-never.js';

/**
 * The evidence panel as data: which piece of evidence decided a verdict, and which was only read.
 *
 * Posture rules on a local engine read both the configuration (`docker inspect`) and the kernel (/proc) and,
 * when they disagree, follow the kernel; the finding's `evidenceKind` says which one the verdict rests on.
 */

/** What one evidence line did for the verdict. */
export type EvidenceRole =
  /** The verdict rests on it. */
  | 'decides'
  /** Configuration shown next to kernel evidence; where the two disagree, the kernel won. */
  | 'overruled-if-different'
  /** Read for context (or could not be read); the verdict does not rest on it. */
  | 'context';

/** One evidence line as the panel shows it. */
export interface EvidenceLine {
  readonly source: EvidenceSource;
  readonly sourceLabel: string;
  readonly field: string;
  readonly value: string;
  readonly role: EvidenceRole;
}

/** The words for where evidence was read. */
export function evidenceSourceLabel(source: EvidenceSource): string {
  switch (source) {
    case 'inspect':
      return 'docker inspect';
    case 'proc':
      return 'kernel (/proc)';
    case 'engine':
      return 'docker info';
    case 'host':
      return 'host';
    default:
      return assertNever(source, 'evidence source');
  }
}

function roleOf(e: Evidence, finding: Finding): EvidenceRole {
  if (finding.evidenceKind === 'kernel') {
    if (e.source === 'proc') return 'decides';
    if (e.source === 'inspect') return 'overruled-if-different';
    return 'context';
  }
  return e.source === 'proc' ? 'context' : 'decides';
}

/** The finding's evidence with each line's role. */
export function evidenceLines(finding: Finding): readonly EvidenceLine[] {
  return finding.evidence.map((e) => ({
    source: e.source,
    sourceLabel: evidenceSourceLabel(e.source),
    field: e.field,
    value: e.value,
    role: roleOf(e, finding),
  }));
}

/** The words for a role, shown next to the evidence line. */
export function evidenceRoleText(role: EvidenceRole): string {
  switch (role) {
    case 'decides':
      return 'decides';
    case 'overruled-if-different':
      return 'configuration';
    case 'context':
      return 'context';
    default:
      return assertNever(role, 'evidence role');
  }
}

/**
 * One sentence saying what the verdict rests on and, when kernel and configuration both appear, which one
 * won. `configurationReason` is why the whole report is configuration only (remote engine, demo), if it is.
 */
export function verdictBasisText(
  finding: Finding,
  configurationReason: string | null,
  recorded = false,
): string {
  const hasKernel = finding.evidence.some((e) => e.source === 'proc');
  const hasConfig = finding.evidence.some((e) => e.source === 'inspect');
  const when = recorded ? ' (recorded when the demo was made, not live)' : '';
  switch (finding.evidenceKind) {
    case 'kernel':
      return hasConfig
        ? `Decided by kernel evidence${when}: where the configuration and /proc disagree, the kernel wins, because /proc shows what the process really has.`
        : `Decided by kernel evidence from /proc${when}.`;
    case 'configuration-only':
      if (configurationReason !== null) return `Configuration only (${configurationReason}).`;
      return hasKernel
        ? 'Configuration only: the kernel evidence for this check could not be used (see the /proc line).'
        : 'Configuration only: this check is decided from the engine’s configuration.';
    default:
      return assertNever(finding.evidenceKind, 'evidence kind');
  }
}
