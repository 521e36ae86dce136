import type { ReactElement } from 'react';

import { usePostureStore } from '../stores/posture-store.js';
import { GradeBadge } from './PostureBadges.js';

/** The host (daemon) posture score in the header, once the engine has been assessed. */
export function HostPostureFact(): ReactElement | null {
  const engine = usePostureStore((s) => s.report?.engine ?? null);
  if (engine === null || engine.state !== 'assessed') return null;
  return (
    <span className="fact host-posture-fact" title="The Docker daemon's own configuration (CIS section 2)">
      <span className="fact-label">Host posture</span>
      <GradeBadge grade={engine.score.grade} score={engine.score.value} className="grade-small" />
    </span>
  );
}
