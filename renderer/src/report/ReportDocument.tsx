import type { ReactElement } from 'react';

import type { Report } from '../../../shared/domain/report/model.js';
import {
  GRADE_THRESHOLDS,
  SEVERITY_WEIGHTS,
  WARN_FRACTION,
  gradeFor,
} from '../../../shared/domain/posture/score.js';
import { SEVERITIES } from '../../../shared/domain/posture/model.js';
import { DemoTag } from '../components/DemoTag.js';
import { Icon } from '../components/Icon.js';
import { SeverityCounts } from '../components/ImageBadges.js';
import {
  CheckHead,
  EvidenceKindTag,
  GradeBadge,
  SeverityPill,
  StatusMark,
} from '../components/PostureBadges.js';
import { formatTimestamp, revealInvisible } from '../state/format.js';
import { sortFindings } from '../state/posture.js';
import {
  containerAnchor,
  countText,
  engineLines,
  methodologyGroups,
  nonZeroCounts,
  sectionTitle,
  shortName,
  summarySentences,
  tocEntries,
  windowText,
} from '../state/report-view.js';
import { BarChart } from './BarChart.js';
import { ContainerDetails } from './ContainerDetails.js';

/**
 * The report as one printable document: cover, contents, a summary a manager can read, each container's
 * details (each on a new page), the methodology and the host's daemon checks.
 *
 * Rendered from a Report only — no store, no clock, no bridge — with the app's own badge and evidence
 * components, so the PDF shows what the app shows. Every string from the engine is a React text node with
 * invisible characters written out; nothing is parsed as markup.
 */
export function ReportDocument({ report }: { readonly report: Report }): ReactElement {
  return (
    <article
      className={`report${report.source.kind === 'demo' ? ' report-demo' : ''}`}
      data-report-format-version={report.formatVersion}
    >
      <Cover report={report} />
      <Contents report={report} />
      <Summary report={report} />
      <div id="containers" className="report-containers">
        {report.containers.length === 0 ? (
          <section className="report-container report-empty" data-report-section="container">
            <h2>Containers</h2>
            <p className="part-unavailable">The report covers no containers.</p>
          </section>
        ) : (
          report.containers.map((c, i) => (
            <ContainerDetails
              key={c.id}
              container={c}
              index={i}
              count={report.containers.length}
              sections={report.sections}
              demo={report.source.kind === 'demo'}
            />
          ))
        )}
      </div>
      <Methodology report={report} />
      <HostChecks report={report} />
    </article>
  );
}

function DemoNotice({ report }: { readonly report: Report }): ReactElement | null {
  const source = report.source;
  if (source.kind !== 'demo') return null;
  return (
    <p className="report-demo-notice" data-demo="true">
      <DemoTag /> Recorded demo data, not a live engine: recorded {formatTimestamp(source.recordedAt)} on{' '}
      {revealInvisible(source.recordedOn)}. Shown because {revealInvisible(source.reason)}.
    </p>
  );
}

function Cover({ report }: { readonly report: Report }): ReactElement {
  const engine = engineLines(report.host.engine);
  return (
    <section className="report-cover" data-report-section="cover">
      <div className="cover-brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M3 5h18v14H3z" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M9 5v14M15 5v14" stroke="currentColor" strokeWidth="2" />
        </svg>
        <span>Bulkhead</span>
      </div>
      <h1 className="cover-title">Container isolation report</h1>
      <p className="cover-subtitle">
        Do these containers still contain? Posture, image findings and runtime behaviour of{' '}
        {countText(report.containers.length, 'container')} on one Docker host.
      </p>
      <DemoNotice report={report} />
      <dl className="cover-facts">
        <dt>Host</dt>
        <dd className="cover-endpoint">
          <code>{revealInvisible(report.host.endpoint)}</code>
        </dd>
        <dt>Engine</dt>
        <dd className="cover-engine">
          {engine === null ? (
            'No engine answered when the report was made.'
          ) : (
            <>
              <span className="cover-engine-product">{engine.product}</span>
              {engine.detail !== '' ? <span className="cover-engine-detail">{engine.detail}</span> : null}
            </>
          )}
        </dd>
        <dt>Generated</dt>
        <dd className="cover-generated">{formatTimestamp(report.generatedAt)}</dd>
        <dt>Window</dt>
        <dd className="cover-window">
          {windowText(report.window)}
          <span className="cover-note">
            Runtime sections cover this window; posture and images are as of the generation time.
          </span>
        </dd>
        <dt>Sections</dt>
        <dd>
          {report.sections.length === 0
            ? 'summary and host only'
            : report.sections.map(sectionTitle).join(', ')}
        </dd>
        <dt>Runtime source</dt>
        <dd>{report.runtimeSource === null ? 'none' : revealInvisible(report.runtimeSource)}</dd>
        <dt>Made by</dt>
        <dd>
          {report.generator.name} {revealInvisible(report.generator.version)} · report format{' '}
          {report.formatVersion}
        </dd>
      </dl>
      <div className="cover-glance" data-cover="glance">
        <h2 className="cover-glance-title">At a glance</h2>
        {summarySentences(report.summary, report.sections).map((s, i) => (
          <p key={i}>{s}</p>
        ))}
      </div>
    </section>
  );
}

function Contents({ report }: { readonly report: Report }): ReactElement {
  const entries = tocEntries(report);
  return (
    <nav className="report-toc" data-report-section="toc" aria-labelledby="toc-title">
      <h2 id="toc-title">Contents</h2>
      <ol className="toc-list">
        {entries.map((e) => (
          <li key={e.anchor} className={`toc-entry toc-level-${e.level}`}>
            <a href={`#${e.anchor}`}>{e.title}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function Summary({ report }: { readonly report: Report }): ReactElement {
  const summary = report.summary;
  const scored = summary.rows.filter((r) => r.score !== null);
  const showImages = report.sections.includes('images');
  const showRuntime = report.sections.includes('anomalies') || report.sections.includes('syscalls');
  return (
    <section id="summary" className="report-summary" data-report-section="summary">
      <h2>Summary</h2>
      <DemoNotice report={report} />
      <div className="summary-lead">
        {summarySentences(summary, report.sections).map((s, i) => (
          <p key={i}>{s}</p>
        ))}
      </div>
      <div className="summary-figures">
        <span className="summary-figure" data-figure="host-score">
          <span className="summary-figure-label">Host score</span>
          {summary.hostScore === null ? (
            <span className="muted">not assessed</span>
          ) : (
            <GradeBadge grade={gradeFor(summary.hostScore)} score={summary.hostScore} />
          )}
        </span>
        {showImages ? (
          <span className="summary-figure" data-figure="vulnerabilities">
            <span className="summary-figure-label">Known vulnerabilities (distinct images)</span>
            {nonZeroCounts(summary.vulnerabilities).length === 0 ? (
              <span>none matched</span>
            ) : (
              <SeverityCounts counts={nonZeroCounts(summary.vulnerabilities)} />
            )}
          </span>
        ) : null}
      </div>
      <table className="summary-table">
        <thead>
          <tr>
            <th scope="col">Container</th>
            <th scope="col">Score</th>
            {showImages ? <th scope="col">Vulnerabilities</th> : null}
            {showRuntime ? <th scope="col">Alerts</th> : null}
            {showRuntime ? <th scope="col">Anomalous</th> : null}
          </tr>
        </thead>
        <tbody>
          {summary.rows.map((row) => {
            const index = report.containers.findIndex((c) => c.id === row.id);
            return (
              <tr key={row.id} data-container-id={row.id} data-summary-score={row.score ?? ''}>
                <th scope="row" className="summary-name">
                  {index < 0 ? (
                    shortName(row.name)
                  ) : (
                    <a href={`#${containerAnchor(index)}`}>{shortName(row.name)}</a>
                  )}
                </th>
                <td className="summary-score">
                  {row.score !== null && row.grade !== null ? (
                    <GradeBadge grade={gradeFor(row.score)} score={row.score} className="grade-small" />
                  ) : (
                    <span className="muted">not assessed</span>
                  )}
                </td>
                {showImages ? (
                  <td className="summary-vulns">
                    {row.vulnerabilities === null ? (
                      <span className="muted">not scanned</span>
                    ) : nonZeroCounts(row.vulnerabilities).length === 0 ? (
                      'none'
                    ) : (
                      <SeverityCounts counts={nonZeroCounts(row.vulnerabilities)} />
                    )}
                  </td>
                ) : null}
                {showRuntime ? <td className="summary-alerts">{row.alerts}</td> : null}
                {showRuntime ? <td className="summary-anomalous">{row.anomalous ? 'yes' : 'no'}</td> : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      {scored.length > 0 ? (
        <figure className="report-chart" data-chart="scores">
          <BarChart
            rows={scored.map((r) => ({
              label: shortName(r.name, 24),
              value: r.score ?? 0,
              note: gradeFor(r.score ?? 0),
            }))}
            label="Posture score per container, out of 100"
            tone="score"
            unit="/100"
          />
          <figcaption>Posture score per container, out of 100 (higher is better).</figcaption>
        </figure>
      ) : null}
      <h3>Highlights</h3>
      {summary.highlights.length === 0 ? (
        <p className="part-empty">Nothing stood out: no failed critical or high checks, no alerts.</p>
      ) : (
        <ol className="highlights">
          {summary.highlights.map((h, i) => (
            <li key={i} className="highlight" data-severity={h.severity}>
              <SeverityPill severity={h.severity} />{' '}
              <strong className="highlight-who">
                {h.container === null ? 'Host' : shortName(h.container)}
              </strong>
              {': '}
              <span className="highlight-text">{revealInvisible(h.text)}</span>
            </li>
          ))}
        </ol>
      )}
      {summary.moreHighlights !== undefined && summary.moreHighlights > 0 ? (
        <p className="part-note">
          {countText(summary.moreHighlights, 'more highlight')} left out here; the details list every finding.
        </p>
      ) : null}
    </section>
  );
}

function Methodology({ report }: { readonly report: Report }): ReactElement {
  const groups = methodologyGroups(report.methodology);
  const weights = SEVERITIES.filter((s) => SEVERITY_WEIGHTS[s] > 0)
    .map((s) => `${s} ${SEVERITY_WEIGHTS[s]}`)
    .join(', ');
  const grades = GRADE_THRESHOLDS.map(([g, min]) => `${g} from ${min}`).join(', ');
  return (
    <section id="methodology" className="report-methodology" data-report-section="methodology">
      <h2>Methodology</h2>
      <p>
        Score: 100 minus the points of every failed check ({weights}); a warning costs{' '}
        {Math.round(WARN_FRACTION * 100)} % of that. Grades: {grades}, F below. Checks that do not apply or
        that nobody could decide are shown and never move the score.
      </p>
      {report.runtimeSource !== null ? (
        <p>Runtime sections come from {revealInvisible(report.runtimeSource)}.</p>
      ) : null}
      {groups.length === 0 ? <p className="part-empty">The report carries no methodology notes.</p> : null}
      {groups.map((g) => (
        <div key={g.section} className="methodology-group" data-methodology={g.section}>
          <h3>{sectionTitle(g.section)}</h3>
          {g.texts.map((t, i) => (
            <p key={i}>{revealInvisible(t)}</p>
          ))}
        </div>
      ))}
    </section>
  );
}

function HostChecks({ report }: { readonly report: Report }): ReactElement {
  const posture = report.host.posture;
  const engine = engineLines(report.host.engine);
  return (
    <section id="host" className="report-host" data-report-section="host">
      <h2>Host daemon checks</h2>
      <p className="host-intro">
        The Docker daemon’s own configuration (CIS section 2), scored like a container: it applies to every
        container in this report.
      </p>
      <dl className="report-facts">
        <dt>Endpoint</dt>
        <dd>
          <code>{revealInvisible(report.host.endpoint)}</code>
        </dd>
        <dt>Engine</dt>
        <dd>
          {engine === null
            ? 'no engine answered'
            : `${engine.product}${engine.detail !== '' ? ` · ${engine.detail}` : ''}`}
        </dd>
      </dl>
      {posture.state === 'unavailable' ? (
        <p className="part-unavailable" data-state="unavailable">
          <Icon name="alert" /> The daemon could not be assessed: {revealInvisible(posture.reason)}
        </p>
      ) : (
        <>
          <p className="part-summary">
            <GradeBadge grade={posture.score.grade} score={posture.score.value} />{' '}
            <EvidenceKindTag kind={posture.evidenceKind} recorded={report.source.kind === 'demo'} />
          </p>
          {posture.notes !== undefined && posture.notes.length > 0 ? (
            <div className="part-notes">
              <h4>Notes on the evidence</h4>
              <ul>
                {posture.notes.map((n, i) => (
                  <li key={i}>{revealInvisible(n)}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <table className="report-findings host-findings">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Finding</th>
              </tr>
            </thead>
            <tbody>
              {sortFindings(posture.findings).map((f) => (
                <tr key={f.ruleId} data-rule-id={f.ruleId} data-status={f.status}>
                  <CheckHead title={f.title} cisId={f.cisId} severity={f.severity} />
                  <td>
                    <StatusMark status={f.status} />
                  </td>
                  <td className="finding-text">{revealInvisible(f.message)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
