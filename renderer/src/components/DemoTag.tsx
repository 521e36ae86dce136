import type { ReactElement } from 'react';

import { Icon } from './Icon.js';

/** The tag every card carries while it shows recorded demo data rather than a live container. */
export function DemoTag(): ReactElement {
  return (
    <span className="demo-tag" title="Recorded demo data, not a live container">
      <Icon name="demo" />
      DEMO DATA
    </span>
  );
}
