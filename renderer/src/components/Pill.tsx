import type { ReactElement } from 'react';

import type { Indicator } from '../state/status.js';
import { Icon } from './Icon.js';

/** An indicator as a pill: icon and text, with the tone as a colour cue on top (never alone). */
export function Pill({
  indicator,
  className,
}: {
  readonly indicator: Indicator;
  readonly className?: string;
}): ReactElement {
  return (
    <span className={`pill tone-${indicator.tone}${className === undefined ? '' : ` ${className}`}`}>
      <Icon name={indicator.icon} />
      <span>{indicator.label}</span>
    </span>
  );
}
