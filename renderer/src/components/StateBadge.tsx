import type { ReactElement } from 'react';

import type { ContainerState } from '../../../shared/domain/container.js';
import { containerStateIndicator } from '../state/status.js';
import { Pill } from './Pill.js';

/** A container's lifecycle state as icon + text. */
export function StateBadge({ state }: { readonly state: ContainerState }): ReactElement {
  return <Pill indicator={containerStateIndicator(state)} className="state-badge" />;
}
