import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { assertNever } from '../../../shared/util/assert-never.js';
import type { AspectProps } from '../aspects.js';
import { cardPosture, entryFor, isPostureLoading } from '../state/posture.js';
import type { CardPosture } from '../state/posture.js';
import { usePostureStore } from '../stores/posture-store.js';
import { openPosturePanel } from '../stores/posture-ui-store.js';
import { Icon } from './Icon.js';
import { EvidenceKindTag, GradeBadge, StatusMark } from './PostureBadges.js';

/**
 * The posture row of a card: grade and score, counts, the worst failing checks, what the verdicts rest on,
 * and the per-container states (not running, could not be assessed, evidence incomplete).
 *
 * The summary opens the container's findings; each failing check opens its evidence.
 */
export function PostureAspect({ container }: AspectProps): ReactElement {
  const { report, entry, error, loading } = usePostureStore(
    useShallow((s) => ({
      report: s.report,
      entry: entryFor(s.report, container.id),
      error: s.error,
      loading: isPostureLoading(s),
    })),
  );

  if (report === null) {
    if (error !== null && !loading)
      return (
        <p className="posture-state posture-unavailable" data-posture-state="unavailable">
          <Icon name="alert" />
          <span>Posture unavailable: {error.message}</span>
        </p>
      );
    return (
      <p className="posture-state" data-posture-state="loading">
        <Icon name="spinner" />
        <span>Assessing…</span>
      </p>
    );
  }
  return <PostureSummary card={cardPosture(entry, report)} containerId={container.id} loading={loading} />;
}

function PostureSummary({
  card,
  containerId,
  loading,
}: {
  readonly card: CardPosture;
  readonly containerId: AspectProps['container']['id'];
  readonly loading: boolean;
}): ReactElement {
  switch (card.kind) {
    case 'missing':
      return (
        <p className="posture-state" data-posture-state="loading">
          <Icon name={loading ? 'spinner' : 'circle'} />
          <span>{loading ? 'Assessing…' : 'Not assessed yet; it will be on the next refresh.'}</span>
        </p>
      );
    case 'error':
      return (
        <div className="posture-error" role="group" aria-label="Posture error" data-posture-state="error">
          <p className="posture-error-title">
            <Icon name="alert" />
            <strong>{card.problem.title}</strong>
          </p>
          <p className="posture-error-message">{card.problem.message}</p>
          <button
            type="button"
            className="posture-link"
            onClick={() => openPosturePanel({ kind: 'container', id: containerId })}
          >
            Details
          </button>
        </div>
      );
    case 'assessed': {
      const { score } = card;
      return (
        <div className="posture" data-posture-state="assessed">
          <button
            type="button"
            className="posture-open"
            onClick={() => openPosturePanel({ kind: 'container', id: containerId })}
            aria-label={`Posture grade ${score.grade}, ${score.value} of 100: ${score.counts.fail} fail, ${score.counts.warn} warn, ${score.counts.pass} pass. Show all ${card.total} findings`}
          >
            <GradeBadge grade={score.grade} score={score.value} />
            <span className="posture-counts">
              <span className="posture-count count-fail" data-count="fail">
                <span aria-hidden="true">✕</span> {score.counts.fail} fail
              </span>
              <span className="posture-count count-warn" data-count="warn">
                <span aria-hidden="true">!</span> {score.counts.warn} warn
              </span>
              <span className="posture-count count-pass" data-count="pass">
                <span aria-hidden="true">✓</span> {score.counts.pass} pass
              </span>
            </span>
            <span className="posture-more">All {card.total} findings ›</span>
          </button>
          <p className="posture-basis">
            <EvidenceKindTag
              kind={card.evidenceKind}
              reason={card.configurationReason}
              recorded={card.recorded}
            />
            {card.notRunning !== null ? (
              <span className="posture-not-running" data-posture-note="not-running">
                {capitalize(card.notRunning)}
              </span>
            ) : null}
          </p>
          {card.worst.length === 0 ? (
            <p className="posture-no-fail">No failing checks.</p>
          ) : (
            <ul className="posture-worst" aria-label="Worst failing checks">
              {card.worst.map((f) => (
                <li key={f.ruleId}>
                  <button
                    type="button"
                    className="posture-finding"
                    data-rule-id={f.ruleId}
                    onClick={() =>
                      openPosturePanel({
                        kind: 'finding',
                        scope: { kind: 'container', id: containerId },
                        ruleId: f.ruleId,
                      })
                    }
                  >
                    <StatusMark status={f.status} />
                    <span className="posture-finding-title">{f.title}</span>
                    {f.cisId !== null ? <span className="cis-id">CIS {f.cisId}</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {card.notes.length > 0 ? (
            <p className="posture-notes" data-posture-note="incomplete">
              <Icon name="alert" />
              <span>
                <strong>Evidence incomplete:</strong> {card.notes[0]}
                {card.notes.length > 1 ? ` (+${card.notes.length - 1} more)` : ''}
              </span>
            </p>
          ) : null}
        </div>
      );
    }
    default:
      return assertNever(card, 'card posture');
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
