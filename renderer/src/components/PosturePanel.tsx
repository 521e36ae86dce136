import { useEffect } from 'react';
import type { ReactElement, RefObject } from 'react';

import { shortId } from '../../../shared/domain/ids.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import type { Finding } from '../../../shared/domain/posture/model.js';
import type { ContainerPostureEntry, PostureReport } from '../../../shared/ipc/contract.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { verdictBasisText } from '../state/evidence.js';
import { revealInvisible } from '../state/format.js';
import {
  cardPosture,
  isRecorded,
  reportConfigurationReason,
  resolveTarget,
  sortFindings,
  statusMark,
} from '../state/posture.js';
import type { PostureTarget } from '../state/posture.js';
import { usePostureStore } from '../stores/posture-store.js';
import { openPosturePanel, usePostureUiStore } from '../stores/posture-ui-store.js';
import { DemoTag } from './DemoTag.js';
import { EvidenceTable } from './EvidenceTable.js';
import { Icon } from './Icon.js';
import { EvidenceKindTag, GradeBadge, SeverityPill, StatusMark } from './PostureBadges.js';
import { useModalDialog } from './use-modal-dialog.js';

/**
 * The posture panel: a modal side drawer with one container's findings, or one finding's evidence and
 * remediation.
 *
 * A native modal `<dialog>` makes the rest of the page inert; Tab wraps inside it, Escape closes it, and
 * focus goes back to whatever opened it. Every value from the engine is rendered as text.
 */
export function PosturePanel(): ReactElement {
  const panel = usePostureUiStore((s) => s.panel);
  const report = usePostureStore((s) => s.report);
  const { dialog, heading, onClose, onKeyDown } = useModalDialog(
    panel !== null,
    () => openPosturePanel(null),
    false,
  );

  // Moving between the findings list and a finding puts focus on the new heading, so a screen reader
  // announces where the user is and Tab starts from the top of the new content.
  const targetKey = panel === null ? '' : JSON.stringify(panel);
  useEffect(() => {
    if (targetKey !== '') heading.current?.focus();
  }, [targetKey, heading]);

  return (
    <dialog
      ref={dialog}
      className="posture-panel"
      aria-labelledby="posture-panel-title"
      onClose={onClose}
      onKeyDown={onKeyDown}
    >
      {panel !== null ? (
        <PanelContent
          target={panel}
          report={report}
          heading={heading}
          close={() => dialog.current?.close()}
        />
      ) : null}
    </dialog>
  );
}

function PanelContent({
  target,
  report,
  heading,
  close,
}: {
  readonly target: PostureTarget;
  readonly report: PostureReport | null;
  readonly heading: RefObject<HTMLHeadingElement | null>;
  readonly close: () => void;
}): ReactElement {
  const resolved = resolveTarget(report, target);
  const closeButton = (
    <button type="button" className="panel-close" onClick={close} aria-label="Close">
      <span aria-hidden="true">✕</span> Close
    </button>
  );
  switch (resolved.kind) {
    case 'gone':
      return (
        <div className="panel-body">
          <header className="panel-head">
            <h2 id="posture-panel-title" ref={heading} tabIndex={-1}>
              Not available
            </h2>
            {closeButton}
          </header>
          <p>{resolved.text}</p>
        </div>
      );
    case 'container':
      return (
        <ContainerFindings
          entry={resolved.entry}
          report={report}
          heading={heading}
          closeButton={closeButton}
        />
      );
    case 'finding':
      return (
        <FindingDetail
          finding={resolved.finding}
          ownerName={resolved.ownerName}
          containerId={resolved.containerId}
          report={report}
          heading={heading}
          closeButton={closeButton}
        />
      );
    default:
      return assertNever(resolved, 'panel target');
  }
}

function ContainerFindings({
  entry,
  report,
  heading,
  closeButton,
}: {
  readonly entry: ContainerPostureEntry;
  readonly report: PostureReport | null;
  readonly heading: RefObject<HTMLHeadingElement | null>;
  readonly closeButton: ReactElement;
}): ReactElement {
  const result = entry.result;
  const card = report === null ? null : cardPosture(entry, report);
  return (
    <div className="panel-body" data-panel="container" data-container-id={entry.id}>
      <header className="panel-head">
        <div className="panel-title-block">
          <span className="panel-kicker">Container posture</span>
          <h2 id="posture-panel-title" ref={heading} tabIndex={-1}>
            {entry.name === '' ? shortId(entry.id) : entry.name}
          </h2>
        </div>
        {closeButton}
      </header>
      {report?.source.kind === 'demo' ? <DemoTag /> : null}
      {result.state === 'assessed' && card !== null && card.kind === 'assessed' ? (
        <>
          <div className="panel-summary">
            <GradeBadge grade={result.score.grade} score={result.score.value} />
            <span className="posture-counts">
              {(['fail', 'warn', 'pass', 'info', 'na'] as const).map((status) => (
                <span key={status} className="posture-count">
                  <span aria-hidden="true">{statusMark(status).symbol}</span> {result.score.counts[status]}{' '}
                  {statusMark(status).text}
                </span>
              ))}
            </span>
            <EvidenceKindTag
              kind={card.evidenceKind}
              reason={card.configurationReason}
              recorded={card.recorded}
            />
          </div>
          {card.notRunning !== null ? <p className="posture-not-running">{card.notRunning}.</p> : null}
          {result.notes.length > 0 ? (
            <div className="panel-notes">
              <h3>Notes on the evidence</h3>
              <ul>
                {result.notes.map((note, i) => (
                  <li key={i}>{note}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <ol className="finding-list">
            {sortFindings(result.findings).map((f) => (
              <li key={f.ruleId}>
                <button
                  type="button"
                  className="finding-item"
                  data-rule-id={f.ruleId}
                  onClick={() =>
                    openPosturePanel({
                      kind: 'finding',
                      scope: { kind: 'container', id: entry.id },
                      ruleId: f.ruleId,
                    })
                  }
                >
                  <StatusMark status={f.status} />
                  <span className="finding-item-title">{f.title}</span>
                  <span className="finding-item-meta">
                    {f.cisId !== null ? `CIS ${f.cisId} · ` : ''}
                    {f.severity}
                  </span>
                  <span className="finding-item-message">{revealInvisible(f.message)}</span>
                </button>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <div className="posture-error" data-posture-state="error">
          <p className="posture-error-title">
            <Icon name="alert" />
            <strong>
              {card !== null && card.kind === 'error' ? card.problem.title : 'Posture could not be assessed'}
            </strong>
          </p>
          <p className="posture-error-message">{result.state === 'assessed' ? '' : result.error.message}</p>
          <p>The other containers are assessed as usual; this one is tried again on the next refresh.</p>
        </div>
      )}
    </div>
  );
}

function FindingDetail({
  finding,
  ownerName,
  containerId,
  report,
  heading,
  closeButton,
}: {
  readonly finding: Finding;
  readonly ownerName: string;
  readonly containerId: ContainerId | null;
  readonly report: PostureReport | null;
  readonly heading: RefObject<HTMLHeadingElement | null>;
  readonly closeButton: ReactElement;
}): ReactElement {
  const reason = report === null ? null : reportConfigurationReason(report);
  const recorded = report !== null && isRecorded(report);
  return (
    <div className="panel-body" data-panel="finding" data-rule-id={finding.ruleId}>
      <header className="panel-head">
        <div className="panel-title-block">
          <span className="panel-kicker">
            {containerId === null ? 'Host / engine' : 'Container'} · {ownerName}
          </span>
          <h2 id="posture-panel-title" ref={heading} tabIndex={-1}>
            {finding.title}
          </h2>
        </div>
        {closeButton}
      </header>
      {containerId !== null ? (
        <button
          type="button"
          className="posture-link panel-back"
          onClick={() => openPosturePanel({ kind: 'container', id: containerId })}
        >
          ‹ All findings of {ownerName}
        </button>
      ) : null}
      {report?.source.kind === 'demo' ? <DemoTag /> : null}
      <dl className="finding-facts">
        <dt>Status</dt>
        <dd>
          <StatusMark status={finding.status} className="finding-status" />
        </dd>
        <dt>Severity</dt>
        <dd>
          <SeverityPill severity={finding.severity} />
        </dd>
        <dt>CIS</dt>
        <dd className="finding-cis">
          {finding.cisId !== null ? `CIS Docker Benchmark v1.6.0 ${finding.cisId}` : 'not a CIS check'}
        </dd>
        <dt>Rule</dt>
        <dd>
          <code>{finding.ruleId}</code>
        </dd>
      </dl>
      <p className="finding-message">{revealInvisible(finding.message)}</p>

      <h3>Evidence</h3>
      <p className="evidence-basis" data-evidence-kind={finding.evidenceKind}>
        <EvidenceKindTag kind={finding.evidenceKind} reason={reason} recorded={recorded} />{' '}
        {verdictBasisText(finding, reason, recorded)}
      </p>
      <EvidenceTable finding={finding} />

      <h3>Remediation</h3>
      <dl className="remediation">
        <dt>docker run</dt>
        <dd>
          <code className="remediation-flag">{finding.remediation.flag}</code>
        </dd>
        <dt>Compose</dt>
        <dd>
          <code className="remediation-compose">{finding.remediation.compose}</code>
        </dd>
      </dl>

      <h3>Why it matters</h3>
      <p className="finding-rationale">{finding.rationale}</p>
    </div>
  );
}
