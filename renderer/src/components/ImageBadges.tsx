import type { ReactElement } from 'react';

import type { AdvisorySeverity } from '../../../shared/domain/advisories/severity.js';
import type { ImageLintStatus } from '../../../shared/domain/images/report.js';
import type { DbFreshness, ImageAge, ScanProgress } from '../state/images.js';
import { DB_IMPORT_COMMAND, lintMark, severityTone, sourceName } from '../state/images.js';

/** A severity as a word on a tinted chip; the word carries the meaning, the colour is a cue. */
export function SeverityTag({
  severity,
  score,
}: {
  readonly severity: AdvisorySeverity;
  readonly score?: number | null;
}): ReactElement {
  return (
    <span className={`sev-tag sev-${severity} tone-${severityTone(severity)}`} data-severity={severity}>
      {severity}
      {score !== undefined && score !== null ? <span className="sev-score"> {score.toFixed(1)}</span> : null}
    </span>
  );
}

/** Counts per severity with their words, e.g. `2 critical · 5 high`. */
export function SeverityCounts({
  counts,
}: {
  readonly counts: readonly { readonly severity: AdvisorySeverity; readonly count: number }[];
}): ReactElement {
  return (
    <span className="sev-counts">
      {counts.map(({ severity, count }) => (
        <span
          key={severity}
          className={`sev-count tone-${severityTone(severity)}`}
          data-severity={severity}
          data-count={count}
        >
          <strong>{count}</strong> {severity}
        </span>
      ))}
    </span>
  );
}

/** The image's age, prominent: an image built long ago has not been patched since. */
export function AgeTag({ age }: { readonly age: ImageAge | null }): ReactElement {
  if (age === null)
    return (
      <span className="image-age tone-neutral" data-age-days="">
        Build date unknown
      </span>
    );
  return (
    <span className={`image-age tone-${age.tone}`} data-age-days={age.days}>
      {age.text}
    </span>
  );
}

/** Where the advisories came from and how old the import is; a stale import says so in words. */
export function DbTag({
  db,
  compact = false,
}: {
  readonly db: DbFreshness;
  readonly compact?: boolean;
}): ReactElement {
  return (
    <span
      className={`db-tag${db.stale ? ' db-stale' : ''}`}
      data-db-stale={db.stale}
      title={`Advisory database ${db.source}, imported ${db.age} ago`}
    >
      {compact ? null : <span className="db-tag-label">DB </span>}
      <span className="db-source">{compact ? sourceName(db.source) : db.source}</span>
      <span className="db-age"> · {db.age} old</span>
      {db.stale ? (
        <span className="db-stale-flag">
          <span aria-hidden="true"> ! </span>stale (over 7 days)
        </span>
      ) : null}
    </span>
  );
}

/** The state of an image without an advisory database, with the command that fixes it. */
export function NoAdvisoryDb(): ReactElement {
  return (
    <span className="no-advisory-db" data-image-note="no-advisory-db">
      No advisory database imported — run <code>{DB_IMPORT_COMMAND}</code>
    </span>
  );
}

/** A progress bar with its phase in words; indeterminate when the total is unknown. */
export function ScanProgressBar({ progress }: { readonly progress: ScanProgress }): ReactElement {
  const percent = progress.fraction === null ? null : Math.round(progress.fraction * 100);
  return (
    <div className="scan-progress" data-image-state="scanning">
      <span className="scan-progress-text">{progress.text}</span>
      <progress
        className="scan-progress-bar"
        max={100}
        value={percent ?? undefined}
        aria-label={progress.text}
      >
        {percent === null ? progress.text : `${percent}%`}
      </progress>
    </div>
  );
}

/** A lint status as symbol and word. */
export function LintMark({ status }: { readonly status: ImageLintStatus }): ReactElement {
  const mark = lintMark(status);
  return (
    <span className={`status-mark lint-mark tone-${mark.tone}`} data-status={status}>
      <span className="status-symbol" aria-hidden="true">
        {mark.symbol}
      </span>
      {mark.text}
    </span>
  );
}
