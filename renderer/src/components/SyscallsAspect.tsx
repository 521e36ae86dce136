import { useMemo } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { AspectProps } from '../aspects.js';
import type { SyscallAlertHit } from '../../../shared/domain/syscalls/model.js';
import {
  alertsForCard,
  droppedText,
  droppedTotal,
  isReplay,
  replayTag,
  subjectForCard,
} from '../state/syscalls.js';
import { useSyscallsStore } from '../stores/syscalls-store.js';
import { AnomalyCardLine } from './AnomalyCardLine.js';
import { Icon } from './Icon.js';
import { RateSparkline, SyscallBars } from './SyscallCharts.js';
import { ReplayTag } from './ReplayTag.js';

/**
 * The runtime row of a card: this container's top syscalls in the window, its events per second, and the
 * source's drop counts; or why there is nothing (no source, no events yet, the source has no data for it).
 * Below them, its anomaly-detection state when detection runs.
 */
export function SyscallsAspect(props: AspectProps): ReactElement {
  return (
    <div className="runtime-cell">
      <SyscallsRuntime {...props} />
      <AnomalyCardLine container={props.container} />
    </div>
  );
}

function SyscallsRuntime({ container }: AspectProps): ReactElement {
  const { subscription, sourceState, view, hasFrame, gaps, dropped, droppedLine, paused, allAlerts } =
    useSyscallsStore(
      useShallow((s) => ({
        subscription: s.subscription,
        sourceState: s.sourceState,
        view: subjectForCard(s.subjects, container.id),
        hasFrame: s.shown !== null,
        gaps: s.gaps,
        dropped: droppedTotal(s.shown),
        droppedLine: droppedText(s.shown),
        paused: s.paused,
        allAlerts: s.shown?.alerts,
      })),
    );
  const alerts = useMemo(() => alertsForCard(allAlerts, container.id), [allAlerts, container.id]);

  if (subscription === null)
    return (
      <p className="syscalls-state" data-syscalls-state="no-source">
        <Icon name="circle" />
        <span>No syscall source running; choose one in the Syscalls view.</span>
      </p>
    );
  if (sourceState?.phase === 'failed' && !hasFrame)
    return (
      <p className="syscalls-state syscalls-failed" data-syscalls-state="failed">
        <Icon name="alert" />
        <span>Syscall source failed: {sourceState.error.message}</span>
      </p>
    );
  if (!hasFrame)
    return (
      <p className="syscalls-state" data-syscalls-state="waiting">
        <Icon name="spinner" />
        <span>No events yet.</span>
      </p>
    );
  if (view === null)
    return (
      <p className="syscalls-state" data-syscalls-state="no-data">
        <Icon name="circle" />
        <span>
          {replayTag(subscription.request) === 'RECORDING'
            ? 'Not in this recording: it has no syscalls of this container.'
            : isReplay(subscription.request)
              ? 'Not in this capture: the replayed source has no data for this container.'
              : container.state === 'running'
                ? 'No events from this container yet.'
                : 'Not running: no syscalls.'}
        </span>
      </p>
    );

  const last = view.frame.perSecond[view.frame.perSecond.length - 1] ?? 0;
  return (
    <div className="syscalls-cell" data-syscalls-state="data">
      <p className="syscalls-figures">
        <ReplayTag request={subscription.request} />
        <strong className="syscalls-total">{view.frame.total.toLocaleString('en-US')}</strong> events
        <span className="syscalls-rate"> · {last.toLocaleString('en-US')}/s last second</span>
        {paused ? <span className="syscalls-paused"> · paused</span> : null}
      </p>
      {alerts.length > 0 ? <AlertList alerts={alerts} /> : null}
      <RateSparkline data={view.rate} gaps={gaps} width={268} height={28} />
      {view.cardBars.length === 0 ? (
        <p className="syscalls-state">No events in the window.</p>
      ) : (
        <SyscallBars
          data={view.cardBars}
          value="window"
          width={268}
          label={`Top ${view.cardBars.length} syscalls in the window: ${view.cardBars
            .map((c) => `${c.syscall} ${c.window}`)
            .join(', ')}`}
        />
      )}
      <p className={`syscalls-dropped${dropped > 0 ? ' syscalls-dropped-some' : ''}`}>
        {dropped > 0 ? <Icon name="alert" /> : null}
        <span>{droppedLine}</span>
        {gaps.length > 0 ? <span> · {gaps.length} gap(s) shaded</span> : null}
      </p>
    </div>
  );
}

/** Most alerts a card lists; the rest are counted. */
const CARD_ALERTS = 3;

/** The built-in syscall alerts of one container: severity (word and icon, not colour alone), what, how often. */
function AlertList({ alerts }: { readonly alerts: readonly SyscallAlertHit[] }): ReactElement {
  const shown = alerts.slice(0, CARD_ALERTS);
  return (
    <ul className="syscalls-alerts" aria-label={`${alerts.length} syscall alert(s)`}>
      {shown.map((a) => (
        <li
          key={`${a.ruleId} ${a.syscall}`}
          className={`syscalls-alert syscalls-alert-${a.severity}`}
          data-alert-rule={a.ruleId}
          data-alert-syscall={a.syscall}
        >
          <Icon name="alert" />
          <span className="syscalls-alert-severity">{a.severity.toUpperCase()}</span>{' '}
          <span className="syscalls-alert-title">{a.title}</span>{' '}
          <span className="syscalls-alert-count">
            {a.syscall} ×{a.total.toLocaleString('en-US')}
          </span>
        </li>
      ))}
      {alerts.length > CARD_ALERTS ? (
        <li className="syscalls-alert-more">+{alerts.length - CARD_ALERTS} more</li>
      ) : null}
    </ul>
  );
}
