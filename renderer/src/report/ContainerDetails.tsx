import type { ReactElement, ReactNode } from 'react';

import type {
  ReportAnomalies,
  ReportContainer,
  ReportImage,
  ReportPosture,
  ReportSeccomp,
  ReportSection,
  ReportSyscalls,
} from '../../../shared/domain/report/model.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { DemoTag } from '../components/DemoTag.js';
import { EvidenceTable } from '../components/EvidenceTable.js';
import { Icon } from '../components/Icon.js';
import {
  AgeTag,
  DbTag,
  LintMark,
  NoAdvisoryDb,
  SeverityCounts,
  SeverityTag,
} from '../components/ImageBadges.js';
import {
  CheckHead,
  EvidenceKindTag,
  GradeBadge,
  SeverityPill,
  StatusMark,
} from '../components/PostureBadges.js';
import { seenText, spanText } from '../state/anomaly.js';
import { formatTimestamp, revealInvisible } from '../state/format.js';
import { formatAge, shortImageId, sortLint } from '../state/images.js';
import { sortFindings, statusMark } from '../state/posture.js';
import {
  containerAnchor,
  countText,
  displayName,
  nonZeroCounts,
  orderedSections,
  sectionTitle,
  shortName,
  vulnerabilityTotal,
} from '../state/report-view.js';
import { BarChart } from './BarChart.js';

/** Longer names are cut in the heading and printed whole, small, under it. */
const HEADING_NAME_LENGTH = 120;

/** The most vulnerabilities one image lists in the document; the JSON and SARIF exports carry all. */
export const MAX_VULNERABILITY_ROWS = 100;

/** One container's details: a new page, its facts, then each chosen section (or why it is missing). */
export function ContainerDetails({
  container,
  index,
  count,
  sections,
  demo,
}: {
  readonly container: ReportContainer;
  readonly index: number;
  readonly count: number;
  readonly sections: readonly ReportSection[];
  readonly demo: boolean;
}): ReactElement {
  return (
    <section
      id={containerAnchor(index)}
      className="report-container"
      data-report-section="container"
      data-container-id={container.id}
    >
      <header className="container-head">
        <span className="report-kicker">
          Container {index + 1} of {count}
        </span>
        <h2 className="container-name">{shortName(container.name, HEADING_NAME_LENGTH)}</h2>
        {Array.from(container.name).length > HEADING_NAME_LENGTH ? (
          <p className="container-full-name">
            <span className="report-kicker">
              Full name, {Array.from(container.name).length.toLocaleString('en-US')} characters
            </span>{' '}
            <code>{displayName(container.name)}</code>
          </p>
        ) : null}
        {demo ? <DemoTag /> : null}
        <dl className="report-facts">
          <dt>Image</dt>
          <dd>
            <code>{revealInvisible(container.image)}</code>
          </dd>
          <dt>State</dt>
          <dd>{container.state}</dd>
          <dt>ID</dt>
          <dd>
            <code className="container-id">{container.id}</code>
          </dd>
        </dl>
      </header>
      {orderedSections(sections).map((section) => (
        <Part key={section} section={section} container={container} />
      ))}
    </section>
  );
}

function PartFrame({
  section,
  state,
  children,
}: {
  readonly section: ReportSection;
  readonly state: string;
  readonly children: ReactNode;
}): ReactElement {
  return (
    <section className="report-part" data-report-part={section} data-state={state}>
      <h3>{sectionTitle(section)}</h3>
      {children}
    </section>
  );
}

function Unavailable({ reason }: { readonly reason: string }): ReactElement {
  return (
    <p className="part-unavailable">
      <Icon name="alert" /> Not available: {revealInvisible(reason)}
    </p>
  );
}

function Missing({ section }: { readonly section: ReportSection }): ReactElement {
  return (
    <PartFrame section={section} state="missing">
      <p className="part-empty">The report holds no data for this section of this container.</p>
    </PartFrame>
  );
}

function NotAvailable({
  section,
  reason,
}: {
  readonly section: ReportSection;
  readonly reason: string;
}): ReactElement {
  return (
    <PartFrame section={section} state="unavailable">
      <Unavailable reason={reason} />
    </PartFrame>
  );
}

type Available<T> = Exclude<T, { readonly state: 'unavailable' }>;

/** A section's part: not chosen, unavailable (with the reason), or drawn by `render`. */
function partOf<T extends { readonly state: string }>(
  section: ReportSection,
  value: T | undefined,
  render: (available: Available<T>) => ReactElement,
): ReactElement {
  if (value === undefined) return <Missing section={section} />;
  if (value.state === 'unavailable') {
    return <NotAvailable section={section} reason={(value as unknown as { reason: string }).reason} />;
  }
  return render(value as Available<T>);
}

function Part({
  section,
  container: c,
}: {
  readonly section: ReportSection;
  readonly container: ReportContainer;
}): ReactElement {
  switch (section) {
    case 'posture':
      return partOf(section, c.posture, (v) => <PosturePart posture={v} />);
    case 'images':
      return partOf(section, c.imageFindings, (v) => <ImagePart image={v} />);
    case 'syscalls':
      return partOf(section, c.syscalls, (v) => <SyscallsPart syscalls={v} />);
    case 'seccomp':
      return partOf(section, c.seccomp, (v) => <SeccompPart seccomp={v} />);
    case 'anomalies':
      return partOf(section, c.anomalies, (v) => <AnomaliesPart anomalies={v} />);
    default:
      return assertNever(section, 'report section');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Posture: the container's column of the matrix, with the evidence of every failed or warned check
// ---------------------------------------------------------------------------------------------------------

function PosturePart({
  posture,
}: {
  readonly posture: Extract<ReportPosture, { state: 'assessed' }>;
}): ReactElement {
  const counts = posture.score.counts;
  const sorted = sortFindings(posture.findings);
  // What needs reading (failed, warned, undecided) in full; what passed or does not apply, one line each.
  const open = sorted.filter((f) => f.status === 'fail' || f.status === 'warn' || f.status === 'info');
  const settled = sorted.filter((f) => f.status === 'pass' || f.status === 'na');
  return (
    <PartFrame section="posture" state="assessed">
      <p className="part-summary">
        <GradeBadge grade={posture.score.grade} score={posture.score.value} />
        <span className="posture-counts">
          {(['fail', 'warn', 'pass', 'info', 'na'] as const).map((status) => (
            <span key={status} className="posture-count" data-status={status}>
              <span aria-hidden="true">{statusMark(status).symbol}</span> {counts[status]}{' '}
              {statusMark(status).text}
            </span>
          ))}
        </span>
        <EvidenceKindTag kind={posture.evidenceKind} />
      </p>
      {posture.notes.length > 0 ? (
        <div className="part-notes">
          <h4>Notes on the evidence</h4>
          <ul>
            {posture.notes.map((n, i) => (
              <li key={i}>{revealInvisible(n)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {open.length === 0 ? (
        <p className="part-empty">Every check passed or does not apply.</p>
      ) : (
        <table className="report-findings">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Finding and evidence</th>
            </tr>
          </thead>
          {open.map((f) => {
            const evidence = f.status === 'fail' || f.status === 'warn';
            // One row group per check: its row and, for a failed or warned check, its evidence across the
            // table's width; the group is kept on one page.
            return (
              <tbody key={f.ruleId} className="finding-group" data-rule-id={f.ruleId} data-status={f.status}>
                <tr className={evidence ? 'finding-row finding-row-with-evidence' : 'finding-row'}>
                  <CheckHead title={f.title} cisId={f.cisId} severity={f.severity} />
                  <td>
                    <StatusMark status={f.status} />
                  </td>
                  <td className="finding-text">
                    <p className="finding-message">{revealInvisible(f.message)}</p>
                  </td>
                </tr>
                {evidence ? (
                  <tr className="finding-evidence-row">
                    <td colSpan={3} className="finding-evidence">
                      <EvidenceTable finding={f} />
                      <p className="finding-fix">
                        Fix: <code>{f.remediation.flag}</code>
                      </p>
                    </td>
                  </tr>
                ) : null}
              </tbody>
            );
          })}
        </table>
      )}
      {settled.length > 0 ? (
        <>
          <h4>Passed or not applicable ({settled.length})</h4>
          <table className="report-findings report-findings-compact">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Finding</th>
              </tr>
            </thead>
            <tbody>
              {settled.map((f) => (
                <tr key={f.ruleId} data-rule-id={f.ruleId} data-status={f.status}>
                  <th scope="row">
                    {f.title}
                    {f.cisId !== null ? <span className="cis-id"> CIS {f.cisId}</span> : null}
                  </th>
                  <td>
                    <StatusMark status={f.status} />
                  </td>
                  <td className="finding-text">{revealInvisible(f.message)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </PartFrame>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------------------

function ImagePart({ image }: { readonly image: Extract<ReportImage, { state: 'scanned' }> }): ReactElement {
  const db = image.db;
  const total = vulnerabilityTotal(image.severityCounts);
  const shown = image.vulnerabilities.slice(0, MAX_VULNERABILITY_ROWS);
  const lint = sortLint(image.lint);
  return (
    <PartFrame section="images" state="scanned">
      <dl className="report-facts image-facts">
        <dt>Refs</dt>
        <dd className="image-refs">
          {image.refs.length === 0 ? (
            <span className="muted">untagged</span>
          ) : (
            image.refs.map((r, i) => <code key={i}>{revealInvisible(r)}</code>)
          )}
        </dd>
        <dt>ID</dt>
        <dd>
          <code className="image-id">{shortImageId(image.imageId)}</code>
        </dd>
        <dt>OS</dt>
        <dd>
          {image.os === null ? 'unknown (no os-release)' : revealInvisible(image.os)}
          {image.ecosystem !== null ? (
            <span className="muted"> · {revealInvisible(image.ecosystem)}</span>
          ) : null}
        </dd>
        <dt>Age</dt>
        <dd>
          <AgeTag
            age={
              image.ageDays === null
                ? null
                : {
                    days: image.ageDays,
                    text:
                      image.ageDays === 0 ? 'Built today' : `Built ${countText(image.ageDays, 'day')} ago`,
                    tone: image.ageDays < 30 ? 'ok' : image.ageDays < 180 ? 'warn' : 'bad',
                  }
            }
          />
        </dd>
        <dt>Packages</dt>
        <dd>
          {image.packageDb.kind === null
            ? revealInvisible(image.packageDb.note ?? 'no package database found')
            : `${image.packageDb.packages} ${image.packageDb.kind} packages${image.packageDb.skipped > 0 ? ` (${image.packageDb.skipped} malformed entries skipped)` : ''}`}
        </dd>
        <dt>Advisory DB</dt>
        <dd className="image-db" data-db-age-ms={db?.ageMs ?? ''}>
          {db === null ? (
            <NoAdvisoryDb />
          ) : (
            <DbTag db={{ source: db.source, age: formatAge(db.ageMs), ageMs: db.ageMs, stale: db.stale }} />
          )}
        </dd>
        <dt>Scanned</dt>
        <dd>{formatTimestamp(image.scannedAt)}</dd>
      </dl>

      <h4>Known vulnerabilities</h4>
      {image.packageDb.kind === null ? (
        <p className="part-empty">
          No OS package database was found in the image: there is nothing to match.
        </p>
      ) : db === null ? (
        <p className="part-empty">
          No advisory database was imported, so no package was matched. <NoAdvisoryDb />
        </p>
      ) : total === 0 ? (
        <p className="part-empty" data-vulns="0">
          0 known vulnerabilities in {image.packageDb.packages} packages
          {image.ecosystem !== null ? ` (${revealInvisible(image.ecosystem)})` : ''}.
        </p>
      ) : (
        <>
          <p>
            <SeverityCounts counts={nonZeroCounts(image.severityCounts)} />
            {db.stale ? (
              <span className="stale-note">
                {' '}
                — from a database {formatAge(db.ageMs)} old (stale): newer advisories are missing.
              </span>
            ) : null}
          </p>
          <table className="report-vulns">
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Installed</th>
                <th scope="col">Fixed in</th>
                <th scope="col">Severity</th>
                <th scope="col">Advisory</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((v) => (
                <tr key={`${v.advisoryId}|${v.package.name}`} data-advisory-id={v.advisoryId}>
                  <td>
                    <code>{revealInvisible(v.package.name)}</code>
                  </td>
                  <td>
                    <code>{revealInvisible(v.package.version)}</code>
                  </td>
                  <td>
                    {v.fixedVersion === null ? (
                      <span className="no-fix">no fix yet</span>
                    ) : (
                      <code>{revealInvisible(v.fixedVersion)}</code>
                    )}
                  </td>
                  <td>
                    <SeverityTag severity={v.severity.level} score={v.severity.score} />
                  </td>
                  <td>
                    <code>{revealInvisible(v.advisoryId)}</code>
                    {v.aliases.length > 0 ? (
                      <span className="advisory-aliases">
                        {' '}
                        {v.aliases.slice(0, 3).map(revealInvisible).join(', ')}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {image.vulnerabilities.length > shown.length ? (
            <p className="part-note">
              {countText(
                image.vulnerabilities.length - shown.length,
                'more vulnerability',
                'more vulnerabilities',
              )}{' '}
              not listed here; the JSON and SARIF exports carry every one.
            </p>
          ) : null}
        </>
      )}

      <h4>Image lint</h4>
      {lint.length === 0 ? (
        <p className="part-empty">No lint checks were reported for this image.</p>
      ) : (
        <table className="report-lint">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Finding</th>
            </tr>
          </thead>
          <tbody>
            {lint.map((f) => (
              <tr key={f.id} data-lint-id={f.id} data-status={f.status}>
                <th scope="row" className="matrix-row-head">
                  <span className="matrix-row-title">{f.title}</span>
                  <span className="matrix-row-meta">
                    {f.reference !== null ? <span className="cis-id">{f.reference}</span> : null}
                    <SeverityPill severity={f.severity} />
                  </span>
                </th>
                <td>
                  <LintMark status={f.status} />
                </td>
                <td className="finding-text">
                  <p className="finding-message">{revealInvisible(f.message)}</p>
                  {f.evidence.length > 0 ? (
                    <pre className="lint-evidence">{f.evidence.map(revealInvisible).join('\n')}</pre>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PartFrame>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Runtime: syscalls, seccomp, anomalies
// ---------------------------------------------------------------------------------------------------------

function SyscallsPart({
  syscalls,
}: {
  readonly syscalls: Extract<ReportSyscalls, { state: 'observed' }>;
}): ReactElement {
  return (
    <PartFrame section="syscalls" state="observed">
      <p data-syscalls-total={syscalls.total}>
        {countText(syscalls.total, 'syscall')} in the window
        {syscalls.top.length > 0 ? `; the ${syscalls.top.length} most frequent below` : ''}
        {syscalls.rest.syscalls > 0
          ? `; ${countText(syscalls.rest.syscalls, 'other syscall')} made ${countText(syscalls.rest.count, 'call')} more`
          : ''}
        .
      </p>
      {syscalls.topOnly === true ? (
        <p className="part-note" data-top-only="true">
          The source kept only each container’s most frequent syscalls (a recording): the others’ counts are
          missing, and alert times are the window’s bounds.
        </p>
      ) : null}
      {syscalls.top.length === 0 ? (
        <p className="part-empty">No syscalls were seen for this container in the window.</p>
      ) : (
        <figure className="report-chart" data-chart="syscalls">
          <BarChart
            rows={syscalls.top.map((s) => ({ label: revealInvisible(s.syscall), value: s.count }))}
            label="Syscalls by count in the report window"
          />
          <figcaption>Syscalls by count in the report window.</figcaption>
        </figure>
      )}
      <h4>Syscall alerts</h4>
      {syscalls.alerts.length === 0 ? (
        <p className="part-empty">No built-in syscall alert fired.</p>
      ) : (
        <table className="report-alerts">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Alert</th>
              <th scope="col">Syscall</th>
              <th scope="col">Count</th>
              <th scope="col">Seen</th>
            </tr>
          </thead>
          <tbody>
            {syscalls.alerts.map((a, i) => (
              <tr key={i} data-alert-rule={a.ruleId}>
                <td>
                  <SeverityPill severity={a.severity} />
                </td>
                <td>{revealInvisible(a.title)}</td>
                <td>
                  <code>{revealInvisible(a.syscall)}</code>
                </td>
                <td>{a.total.toLocaleString('en-US')}</td>
                <td>{seenText(a.firstSeen * 1000, a.lastSeen * 1000)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PartFrame>
  );
}

function SeccompPart({
  seccomp,
}: {
  readonly seccomp: Extract<ReportSeccomp, { state: 'generated' }>;
}): ReactElement {
  return (
    <PartFrame section="seccomp" state="generated">
      <p className="seccomp-sentence">{revealInvisible(seccomp.sentence)}</p>
      <dl className="report-facts">
        <dt>Observed syscalls</dt>
        <dd>{seccomp.observedNames}</dd>
        <dt>Profile allows</dt>
        <dd>{seccomp.allowed}</dd>
        <dt>Docker’s default allows</dt>
        <dd>{seccomp.defaultAllowed ?? 'unknown (default profile not read)'}</dd>
        <dt>Reduction</dt>
        <dd>{seccomp.reductionPct === null ? 'unknown' : `${seccomp.reductionPct} %`}</dd>
        {seccomp.runningPhase !== null ? (
          <>
            <dt>Running phase</dt>
            <dd>
              allows {seccomp.runningPhase.allowed}
              {seccomp.runningPhase.reductionPct !== null ? ` (−${seccomp.runningPhase.reductionPct} %)` : ''}
              {seccomp.runningPhase.startupOnly.length > 0 ? (
                <>
                  ; only at start-up:{' '}
                  <code>{seccomp.runningPhase.startupOnly.map(revealInvisible).join(', ')}</code>
                </>
              ) : null}
            </dd>
          </>
        ) : null}
      </dl>
    </PartFrame>
  );
}

function AnomaliesPart({
  anomalies,
}: {
  readonly anomalies: Extract<ReportAnomalies, { state: 'monitored' }>;
}): ReactElement {
  const bosc = anomalies.bosc;
  return (
    <PartFrame section="anomalies" state="monitored">
      {bosc === null ? (
        <p className="part-empty">
          The detector has no state for this container: it saw none of its syscalls, or it was already
          following as many containers as it may.
        </p>
      ) : (
        <>
          <p className="bosc-phase" data-bosc-phase={bosc.phase}>
            {bosc.phase === 'learning'
              ? `Learning: ${bosc.epochsTrained} of ${bosc.trainingEpochs} training epochs done.`
              : bosc.phase === 'watching'
                ? `Watching: ${countText(bosc.epochsWatched, 'epoch')} compared with training, none anomalous.`
                : `Anomalous: ${countText(bosc.anomalousEpochs, 'epoch')} of ${bosc.epochsWatched} watched had behaviour unseen in training (${countText(bosc.anomalousMismatches, 'mismatch', 'mismatches')}).`}
          </p>
          <dl className="report-facts">
            <dt>Syscalls</dt>
            <dd>{bosc.syscalls.toLocaleString('en-US')}</dd>
            <dt>Windows</dt>
            <dd>{bosc.windows.toLocaleString('en-US')}</dd>
            <dt>Epochs</dt>
            <dd>{bosc.epochs}</dd>
            <dt>Database</dt>
            <dd>
              {bosc.database.bags.toLocaleString('en-US')} of {bosc.database.maxBags.toLocaleString('en-US')}{' '}
              bags
            </dd>
            <dt>Gaps</dt>
            <dd>{bosc.gaps}</dd>
          </dl>
          {bosc.phase === 'anomalous' && bosc.anomalies.length > 0 ? (
            <table className="report-epochs">
              <thead>
                <tr>
                  <th scope="col">Epoch</th>
                  <th scope="col">When</th>
                  <th scope="col">Mismatches</th>
                  <th scope="col">More common than in training</th>
                </tr>
              </thead>
              <tbody>
                {bosc.anomalies.map((e) => (
                  <tr key={e.epoch}>
                    <td>{e.epoch}</td>
                    <td>{spanText(e.from * 1000, e.to * 1000)}</td>
                    <td>
                      {e.mismatches.toLocaleString('en-US')} of {e.windows.toLocaleString('en-US')} windows
                    </td>
                    <td>
                      <code>{e.hint.map((h) => revealInvisible(h.syscall)).join(', ') || '—'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
      <h4>Alerts</h4>
      {anomalies.alerts.length === 0 ? (
        <p className="part-empty">No alert on this container in the window.</p>
      ) : (
        <table className="report-alerts">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Alert</th>
              <th scope="col">Count</th>
              <th scope="col">Seen</th>
              <th scope="col">Processes</th>
            </tr>
          </thead>
          <tbody>
            {anomalies.alerts.map((a) => (
              <tr key={a.key} data-alert-rule={a.ruleId} data-alert-source={a.source}>
                <td>
                  <SeverityPill severity={a.severity} />
                </td>
                <td>
                  <strong>{revealInvisible(a.title)}</strong>{' '}
                  <span className="muted">
                    ({a.source === 'falco' ? 'Falco' : 'built-in'} rule {revealInvisible(a.ruleId)})
                  </span>
                  {a.detail !== null || a.rationale !== null ? (
                    <p className="alert-detail">{revealInvisible(a.detail ?? a.rationale ?? '')}</p>
                  ) : null}
                </td>
                <td>{a.count.toLocaleString('en-US')}</td>
                <td>{seenText(a.firstSeen, a.lastSeen)}</td>
                <td>
                  <code>{a.processes.length === 0 ? '—' : revealInvisible(a.processes.join(', '))}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PartFrame>
  );
}
