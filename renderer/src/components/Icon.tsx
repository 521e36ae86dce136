import type { ReactElement } from 'react';

import { assertNever } from '../../../shared/util/assert-never.js';
import type { IconName } from '../state/status.js';

/** The shapes of each icon, on a 16×16 grid, drawn with currentColor. */
function shape(name: IconName): ReactElement {
  switch (name) {
    case 'check':
      return <path d="M3 8.5l3 3 7-7" fill="none" strokeWidth="2" />;
    case 'spinner':
      return <path d="M8 2a6 6 0 1 1-6 6" fill="none" strokeWidth="2" />;
    case 'plug-off':
      return (
        <g fill="none" strokeWidth="1.6">
          <path d="M5 2v3M11 2v3M3.5 5h9v2.5a4.5 4.5 0 0 1-9 0zM8 12v2.5" />
          <path d="M2 14L14 2" />
        </g>
      );
    case 'lock':
      return (
        <g fill="none" strokeWidth="1.6">
          <rect x="3" y="7" width="10" height="7" rx="1.5" />
          <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
        </g>
      );
    case 'alert':
      return (
        <g fill="none" strokeWidth="1.6">
          <path d="M8 2l6.5 11.5h-13z" />
          <path d="M8 6.5v3.5M8 11.5v.5" />
        </g>
      );
    case 'demo':
      return (
        <g fill="none" strokeWidth="1.6">
          <rect x="2" y="3" width="12" height="9" rx="1.5" />
          <path d="M6.5 5.5v4l3.5-2z" fill="currentColor" strokeWidth="1" />
          <path d="M5 14.5h6" />
        </g>
      );
    case 'play':
      return <path d="M4.5 3l8 5-8 5z" stroke="none" />;
    case 'pause':
      return <path d="M4 3h3v10H4zM9 3h3v10H9z" stroke="none" />;
    case 'stop':
      return <rect x="3.5" y="3.5" width="9" height="9" rx="1" stroke="none" />;
    case 'circle':
      return <circle cx="8" cy="8" r="5" fill="none" strokeWidth="1.8" />;
    case 'restart':
      return (
        <g fill="none" strokeWidth="1.8">
          <path d="M13 8a5 5 0 1 1-1.5-3.6" />
          <path d="M12 1.5v3.2H8.8" />
        </g>
      );
    case 'trash':
      return (
        <g fill="none" strokeWidth="1.6">
          <path d="M2.5 4.5h11M6 4.5V2.5h4v2M4 4.5l.8 9h6.4l.8-9" />
        </g>
      );
    case 'skull':
      return (
        <g fill="none" strokeWidth="1.6">
          <path d="M3 7a5 5 0 0 1 10 0v2.5l-1.5 1V13h-7v-2.5L3 9.5z" />
          <circle cx="6" cy="7.5" r="1" fill="currentColor" />
          <circle cx="10" cy="7.5" r="1" fill="currentColor" />
        </g>
      );
    default:
      return assertNever(name, 'icon');
  }
}

/**
 * A small inline icon.
 *
 * Decorative: it is hidden from assistive technology because the text next to it says the same thing.
 */
export function Icon({
  name,
  className,
}: {
  readonly name: IconName;
  readonly className?: string;
}): ReactElement {
  return (
    <svg
      className={`icon icon-${name}${className === undefined ? '' : ` ${className}`}`}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
      fill="currentColor"
      stroke="currentColor"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {shape(name)}
    </svg>
  );
}
