import type { ReactElement } from 'react';

/** Shown when the engine answers but has no containers at all. */
export function EmptyState({ engineName }: { readonly engineName: string }): ReactElement {
  return (
    <div className="empty-state" role="status">
      <p className="empty-title">
        No containers on {engineName} yet — start one with <code>docker run …</code>; this view updates by
        itself.
      </p>
      <p className="empty-hint">
        For example: <code>docker run -d --name hello busybox sleep 3600</code>
      </p>
    </div>
  );
}
