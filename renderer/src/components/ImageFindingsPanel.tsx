import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ImageScanReport } from '../../../shared/domain/images/report.js';
import type { ImageStatusEntry } from '../../../shared/ipc/contract.js';
import {
  advisoryUrl,
  ariaSort,
  dbFreshness,
  findingRows,
  imageAge,
  scanFailedTitle,
  scanProgress,
  shortImageId,
  sortLint,
  toggleSort,
  vulnerabilityState,
} from '../state/images.js';
import type { FindingSortKey } from '../state/images.js';
import { useClockStore } from '../stores/clock-store.js';
import {
  openImagePanel,
  requestRescan,
  setFindingFilter,
  setFindingSort,
  useImagesStore,
  useImagesUiStore,
} from '../stores/images-store.js';
import { Icon } from './Icon.js';
import {
  AgeTag,
  DbTag,
  LintMark,
  NoAdvisoryDb,
  ScanProgressBar,
  SeverityCounts,
  SeverityTag,
} from './ImageBadges.js';
import { revealInvisible } from '../state/format.js';
import { useModalDialog } from './use-modal-dialog.js';

const COLUMNS: readonly { readonly key: FindingSortKey; readonly label: string }[] = [
  { key: 'package', label: 'Package' },
  { key: 'installed', label: 'Installed' },
  { key: 'fixed', label: 'Fixed in' },
  { key: 'severity', label: 'Severity' },
  { key: 'advisory', label: 'Advisory' },
];

/**
 * The image findings panel: a modal side drawer with one image's refs, id, OS, age and advisory database;
 * a sortable, filterable table of its known vulnerabilities; and its lint findings.
 *
 * Like the posture panel: a native modal `<dialog>` (the page behind is inert), Tab wraps, Escape closes
 * and focus returns to the opener. Every value from the engine is text; advisory links go to osv.dev with
 * `rel="noopener noreferrer"` (in the desktop app the window-open handler hands allow-listed https links to
 * the user's browser and drops the rest).
 */
export function ImageFindingsPanel(): ReactElement {
  const panel = useImagesUiStore((s) => s.panel);
  const entries = useImagesStore((s) => s.entries);
  const { dialog, heading, onClose, onKeyDown } = useModalDialog(panel !== null, () => openImagePanel(null));

  const entry = panel === null ? undefined : entries?.find((e) => e.imageId === panel.imageId);
  return (
    <dialog
      ref={dialog}
      className="image-panel"
      aria-labelledby="image-panel-title"
      onClose={onClose}
      onKeyDown={onKeyDown}
    >
      {panel !== null ? (
        <div className="panel-body" data-panel="image" data-image-id={panel.imageId}>
          <header className="panel-head">
            <div className="panel-title-block">
              <span className="panel-kicker">Image findings</span>
              <h2 id="image-panel-title" ref={heading} tabIndex={-1}>
                {entry?.refs[0] ?? shortImageId(panel.imageId)}
              </h2>
            </div>
            <button
              type="button"
              className="panel-close"
              onClick={() => dialog.current?.close()}
              aria-label="Close"
            >
              <span aria-hidden="true">✕</span> Close
            </button>
          </header>
          {entry === undefined ? (
            <p>This image is no longer used by any container.</p>
          ) : (
            <EntryBody entry={entry} />
          )}
        </div>
      ) : null}
    </dialog>
  );
}

function EntryBody({ entry }: { readonly entry: ImageStatusEntry }): ReactElement {
  const scan = entry.state;
  const progress = scanProgress(scan);
  if (progress !== null) return <ScanProgressBar progress={progress} />;
  if (scan.phase === 'failed')
    return (
      <div className="image-error" data-image-state="failed">
        <p className="image-error-title">
          <Icon name="alert" />
          <strong>{scanFailedTitle(scan.error.code)}</strong>
        </p>
        <p className="image-error-message">{scan.error.message}</p>
        <button type="button" className="posture-link" onClick={() => requestRescan(entry.imageId)}>
          Try again
        </button>
      </div>
    );
  if (scan.phase !== 'done') return <p>Not scanned yet.</p>;
  return <ReportBody report={scan.report} containers={entry.containers.length} />;
}

function ReportBody({
  report,
  containers,
}: {
  readonly report: ImageScanReport;
  readonly containers: number;
}): ReactElement {
  const now = useClockStore((s) => s.now);
  const { sort, filter } = useImagesUiStore(useShallow((s) => ({ sort: s.sort, filter: s.filter })));
  const v = vulnerabilityState(report);
  const db = report.db === null ? null : dbFreshness(report.db, now);
  const rows = findingRows(report.vulnerabilities, sort, filter);
  const lint = sortLint(report.lint);
  return (
    <>
      <dl className="image-facts">
        <dt>Refs</dt>
        <dd className="image-refs">
          {report.refs.length === 0 ? (
            <span className="muted">untagged</span>
          ) : (
            report.refs.map((r) => <code key={r}>{r}</code>)
          )}
        </dd>
        <dt>ID</dt>
        <dd>
          <code className="image-id" title={report.imageId}>
            {shortImageId(report.imageId)}
          </code>
        </dd>
        <dt>OS</dt>
        <dd className="image-os">
          {report.os === null
            ? 'unknown (no os-release)'
            : (report.os.prettyName ?? `${report.os.id} ${report.os.versionId ?? ''}`)}
          {report.ecosystem !== null ? <span className="muted"> · {report.ecosystem}</span> : null}
        </dd>
        <dt>Age</dt>
        <dd>
          <AgeTag age={imageAge(report, now)} />
        </dd>
        <dt>Packages</dt>
        <dd className="image-pkgdb">
          {report.packageDb.kind === null
            ? (report.packageDb.note ?? 'no package database found')
            : `${report.packageDb.packages} ${report.packageDb.kind} packages${report.packageDb.skipped > 0 ? ` (${report.packageDb.skipped} malformed entries skipped)` : ''}`}
        </dd>
        <dt>Advisories</dt>
        <dd>{db === null ? <NoAdvisoryDb /> : <DbTag db={db} />}</dd>
        <dt>Scanned</dt>
        <dd className="muted">
          {report.cached ? 'from cache · ' : ''}
          {Math.round(report.durationMs)} ms · used by {containers} container{containers === 1 ? '' : 's'}
        </dd>
      </dl>
      <div className="panel-actions">
        <button type="button" className="panel-close" onClick={() => requestRescan(report.imageId)}>
          <Icon name="restart" /> Rescan
        </button>
      </div>

      <h3>Known vulnerabilities</h3>
      {v.kind === 'no-package-db' ? (
        <p className="image-none" data-image-note="no-package-db">
          {v.text}: there are no OS packages to match.
        </p>
      ) : v.kind === 'no-advisory-db' ? (
        <p className="image-none">
          <NoAdvisoryDb />
        </p>
      ) : v.total === 0 ? (
        <p className="image-none" data-vulns="0">
          0 known vulnerabilities in {v.packages} packages
          {report.ecosystem !== null ? ` (${report.ecosystem})` : ''}.
        </p>
      ) : (
        <>
          <div className="findings-toolbar">
            <SeverityCounts counts={v.counts} />
            <label className="findings-filter">
              <span>Filter</span>
              <input
                type="search"
                className="findings-filter-input"
                value={filter.text}
                placeholder="package, advisory, CVE…"
                onChange={(e) => {
                  const text = e.currentTarget.value;
                  setFindingFilter((f) => ({ ...f, text }));
                }}
              />
            </label>
            <label className="findings-fixable">
              <input
                type="checkbox"
                checked={filter.fixableOnly}
                onChange={(e) => {
                  const fixableOnly = e.currentTarget.checked;
                  setFindingFilter((f) => ({ ...f, fixableOnly }));
                }}
              />
              Fixable only
            </label>
          </div>
          <p className="findings-count" role="status" data-findings-count={rows.length}>
            Showing {rows.length} of {v.total}
          </p>
          <div className="findings-scroller">
            <table className="findings-table">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.key} scope="col" aria-sort={ariaSort(sort, c.key)} data-col={c.key}>
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() => setFindingSort(toggleSort(sort, c.key))}
                      >
                        {c.label}
                        <span className="sort-arrow" aria-hidden="true">
                          {sort.key !== c.key ? ' ↕' : sort.dir === 'asc' ? ' ↑' : ' ↓'}
                        </span>
                      </button>
                    </th>
                  ))}
                  <th scope="col">Database</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((f) => {
                  const url = advisoryUrl(f.advisoryId);
                  const fresh = dbFreshness(f.db, now);
                  return (
                    <tr
                      key={`${f.advisoryId}|${f.package.name}`}
                      data-advisory-id={f.advisoryId}
                      data-severity={f.severity.level}
                    >
                      <td className="col-package">
                        <code>{f.package.name}</code>
                        {f.package.sourceName !== f.package.name ? (
                          <span className="muted"> (source {f.package.sourceName})</span>
                        ) : null}
                      </td>
                      <td className="col-installed">
                        <code>{f.package.version}</code>
                      </td>
                      <td className="col-fixed">
                        {f.fixedVersion === null ? (
                          <span className="no-fix">no fix yet</span>
                        ) : (
                          <code>{f.fixedVersion}</code>
                        )}
                      </td>
                      <td className="col-severity">
                        <SeverityTag severity={f.severity.level} score={f.severity.score} />
                      </td>
                      <td className="col-advisory">
                        {url === null ? (
                          <code>{f.advisoryId}</code>
                        ) : (
                          <a href={url} target="_blank" rel="noopener noreferrer" className="advisory-link">
                            {f.advisoryId}
                          </a>
                        )}
                        {f.aliases.length > 0 ? (
                          <span className="advisory-aliases">{f.aliases.slice(0, 3).join(', ')}</span>
                        ) : null}
                      </td>
                      <td className="col-db">
                        <DbTag db={fresh} compact />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}

      <h3>Image lint</h3>
      {lint.length === 0 ? (
        <p className="image-none">No lint checks were reported for this image.</p>
      ) : (
        <ul className="lint-list">
          {lint.map((f) => (
            <li key={f.id} className="lint-item" data-lint-id={f.id} data-status={f.status}>
              <div className="lint-head">
                <LintMark status={f.status} />
                <span className="lint-title">{f.title}</span>
                {f.reference !== null ? <span className="cis-id">{f.reference}</span> : null}
                <span className="lint-severity">{f.severity}</span>
              </div>
              <p className="lint-message">{f.message}</p>
              {f.evidence.length > 0 ? (
                <pre className="lint-evidence">{f.evidence.map(revealInvisible).join('\n')}</pre>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
