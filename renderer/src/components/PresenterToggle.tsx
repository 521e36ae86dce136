import type { ReactElement } from 'react';

import '../presenter.css';
import { togglePresenter, usePresenterStore } from '../stores/presenter-store.js';

/** The header's "Presenter mode" toggle button; `p` does the same from anywhere but a text field. */
export function PresenterToggle(): ReactElement {
  const on = usePresenterStore((s) => s.on);
  return (
    <button
      type="button"
      className="presenter-toggle"
      aria-pressed={on}
      aria-keyshortcuts="p"
      data-presenter-toggle=""
      onClick={togglePresenter}
    >
      <svg className="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <g fill="none" stroke="currentColor" strokeWidth="1.6">
          <rect x="1.5" y="2.5" width="13" height="8.5" rx="1" />
          <path d="M8 11v3M5 14h6" />
        </g>
      </svg>
      <span>Presenter mode</span>
      <kbd aria-hidden="true">p</kbd>
    </button>
  );
}
