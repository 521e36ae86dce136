import { useRef } from 'react';
import type { KeyboardEvent, ReactElement } from 'react';

import { MAIN_VIEWS } from '../state/posture-matrix.js';
import { setMainView, usePostureUiStore } from '../stores/posture-ui-store.js';

/** The id of the main area the view tabs control. */
export const MAIN_PANEL_ID = 'main-view';

/** The id of a view's tab (labels the main area). */
export function viewTabId(view: string): string {
  return `view-tab-${view}`;
}

/**
 * "Containers" | "Posture matrix": a tab list. Tab reaches the selected tab; Left/Right/Home/End move and
 * switch (automatic activation: switching is instant). The choice is remembered.
 */
export function ViewSwitch(): ReactElement {
  const view = usePostureUiStore((s) => s.view);
  const tabs = useRef(new Map<string, HTMLButtonElement>());

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = MAIN_VIEWS.findIndex((v) => v.id === view);
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = (index + 1) % MAIN_VIEWS.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + MAIN_VIEWS.length) % MAIN_VIEWS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = MAIN_VIEWS.length - 1;
    const target = next === null ? undefined : MAIN_VIEWS[next];
    if (target === undefined) return;
    event.preventDefault();
    setMainView(target.id);
    tabs.current.get(target.id)?.focus();
  };

  return (
    <div className="view-switch" role="tablist" aria-label="View" onKeyDown={onKeyDown}>
      {MAIN_VIEWS.map(({ id, label }) => (
        <button
          key={id}
          ref={(element) => {
            if (element === null) tabs.current.delete(id);
            else tabs.current.set(id, element);
          }}
          type="button"
          role="tab"
          id={viewTabId(id)}
          className="view-tab"
          aria-selected={view === id}
          aria-controls={MAIN_PANEL_ID}
          tabIndex={view === id ? 0 : -1}
          data-view={id}
          onClick={() => setMainView(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
