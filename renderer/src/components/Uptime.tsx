import type { ReactElement } from 'react';

import { formatDuration, uptimeMillis } from '../../../shared/domain/container.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import { useClockStore } from '../stores/clock-store.js';

/** Time since a running container started, ticking every second. */
export function Uptime({ container }: { readonly container: ContainerSummary }): ReactElement {
  const now = useClockStore((s) => s.now);
  const ms = uptimeMillis(container, now);
  return <span className="uptime">{ms === null ? '—' : formatDuration(ms)}</span>;
}
