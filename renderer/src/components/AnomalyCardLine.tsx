import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ContainerSummary } from '../../../shared/domain/container.js';
import { CARD_HINT, cardNoStateText, containerForCard, detectionIndicator } from '../state/anomaly.js';
import { useAnomalyStore } from '../stores/anomaly-store.js';
import { Icon } from './Icon.js';

/**
 * The card's anomaly-detection line: this container's BoSC state in words with an icon ("learning 35 %",
 * "watching · 0 anomalies", "ANOMALOUS · 3 epochs · hint: nanosleep, futex"), or why there is none.
 * Nothing while detection is off.
 */
export function AnomalyCardLine({
  container,
}: {
  readonly container: Pick<ContainerSummary, 'id' | 'state'>;
}): ReactElement | null {
  const state = useAnomalyStore(
    useShallow((s) => ({
      subscription: s.subscription,
      sourceState: s.sourceState,
      settings: s.settings,
      mine: containerForCard(s.snapshot, container.id),
    })),
  );
  const { mine } = state;
  if (state.subscription === null) return null;
  if (mine === null) {
    const text = cardNoStateText(state, container.state === 'running');
    return (
      <p className="anomaly-card anomaly-card-none" data-anomaly-card="none">
        <Icon name={state.sourceState?.phase === 'failed' ? 'alert' : 'circle'} />
        <span>{text}</span>
      </p>
    );
  }
  const indicator = detectionIndicator(mine, state.settings, CARD_HINT);
  return (
    <p
      className={`anomaly-card tone-${indicator.tone}`}
      data-anomaly-card={indicator.phase}
      data-anomaly-key={mine.key}
    >
      <Icon name={indicator.icon} />
      <span>
        <span className="anomaly-card-lead">Anomaly detection: </span>
        {indicator.label}
      </span>
    </p>
  );
}
