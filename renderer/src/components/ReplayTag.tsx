import type { ReactElement } from 'react';

import type { SyscallSourceRequest } from '../../../shared/ipc/contract.js';
import { replayTag } from '../state/syscalls.js';
import { Icon } from './Icon.js';

/** The tag of a replayed source (RECORDING, CAPTURE), on cards and in the Syscalls view. */
export function ReplayTag({
  request,
}: {
  readonly request: SyscallSourceRequest | null;
}): ReactElement | null {
  const tag = replayTag(request);
  if (tag === null) return null;
  return (
    <span
      className="replay-tag"
      data-replay-tag={tag}
      title={
        tag === 'RECORDING' ? 'Recorded syscalls replayed, not live' : 'A sysdig capture replayed, not live'
      }
    >
      <Icon name="play" />
      {tag}
    </span>
  );
}
