import type { ReactElement } from 'react';

import type { EvidenceKind, FindingStatus, Severity } from '../../../shared/domain/posture/model.js';
import type { Grade } from '../../../shared/domain/posture/score.js';
import { evidenceKindText, gradeTone, statusMark } from '../state/posture.js';

/** A posture grade as a letter and the score out of 100; the colour is a cue on top, never alone. */
export function GradeBadge({
  grade,
  score,
  className,
}: {
  readonly grade: Grade;
  readonly score: number;
  readonly className?: string;
}): ReactElement {
  return (
    <span
      className={`grade-badge tone-${gradeTone(grade)}${className === undefined ? '' : ` ${className}`}`}
      title={`Grade ${grade}, score ${score} of 100`}
      data-grade={grade}
      data-score={score}
    >
      <span className="grade-letter">{grade}</span>
      <span className="grade-score">
        {score}
        <span className="grade-of">/100</span>
      </span>
    </span>
  );
}

/** A finding status as symbol and word: ✓ pass, ! warn, ✕ fail, i info, – n/a. */
export function StatusMark({
  status,
  className,
}: {
  readonly status: FindingStatus;
  readonly className?: string;
}): ReactElement {
  const mark = statusMark(status);
  return (
    <span
      className={`status-mark tone-${mark.tone}${className === undefined ? '' : ` ${className}`}`}
      data-status={status}
    >
      <span className="status-symbol" aria-hidden="true">
        {mark.symbol}
      </span>
      <span className="status-text">{mark.text}</span>
    </span>
  );
}

/** `kernel evidence` or `configuration only`, as a small tag. */
export function EvidenceKindTag({
  kind,
  reason,
  recorded = false,
}: {
  readonly kind: EvidenceKind;
  /** Why (for a remote engine or demo data), shown as the tag's tooltip. */
  readonly reason?: string | null;
  /** Demo data: kernel evidence recorded when the scenario was made. */
  readonly recorded?: boolean;
}): ReactElement {
  return (
    <span
      className={`evidence-kind evidence-kind-${kind}`}
      data-evidence-kind={kind}
      title={
        reason ??
        (kind === 'kernel'
          ? recorded
            ? 'Verdicts checked against /proc as recorded when the demo was made (not live)'
            : 'Verdicts checked against what the kernel reports for the running process (/proc)'
          : 'Verdicts rest on the engine’s configuration only')
      }
    >
      {evidenceKindText(kind, recorded)}
    </span>
  );
}

/** A posture severity as a small uppercase word. */
export function SeverityPill({ severity }: { readonly severity: Severity }): ReactElement {
  return <span className={`severity severity-${severity}`}>{severity}</span>;
}

/** The row head of a check: its title, CIS number and severity (the matrix, the host table, the report). */
export function CheckHead({
  title,
  cisId,
  severity,
}: {
  readonly title: string;
  readonly cisId: string | null;
  readonly severity: Severity;
}): ReactElement {
  return (
    <th scope="row" className="matrix-row-head">
      <span className="matrix-row-title">{title}</span>
      <span className="matrix-row-meta">
        {cisId !== null ? <span className="cis-id">CIS {cisId}</span> : null}
        <SeverityPill severity={severity} />
      </span>
    </th>
  );
}
