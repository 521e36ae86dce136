import type { ReactElement } from 'react';

import { shortId } from '../../../shared/domain/ids.js';
import type { AspectProps } from '../aspects.js';
import { StateBadge } from './StateBadge.js';
import { Uptime } from './Uptime.js';

/**
 * The overview row of a card: image, state, uptime or exit code, engine and short id.
 *
 * Every string comes from the engine (names, images can be anything) and is rendered as text.
 */
export function OverviewAspect({ container, source, engineName }: AspectProps): ReactElement {
  const demo = source.kind === 'demo';
  const running = container.state === 'running';
  const finished = container.state === 'exited' || container.state === 'dead';
  return (
    <dl className="facts">
      <dt>Image</dt>
      <dd>
        <code className="image-ref">{container.image}</code>
      </dd>
      <dt>State</dt>
      <dd>
        <StateBadge state={container.state} />
      </dd>
      {running && !demo ? (
        <>
          <dt>Uptime</dt>
          <dd>
            <Uptime container={container} />
          </dd>
        </>
      ) : null}
      {finished && container.exitCode !== null ? (
        <>
          <dt>Exit code</dt>
          <dd>
            <span className={`exit-code${container.exitCode === 0 ? '' : ' exit-code-failed'}`}>
              {container.exitCode}
            </span>
          </dd>
        </>
      ) : null}
      {demo || (!running && !finished) ? (
        <>
          <dt>Status</dt>
          <dd title={demo ? 'As the engine reported it when the demo was recorded' : undefined}>
            {container.status}
          </dd>
        </>
      ) : null}
      <dt>Engine</dt>
      <dd>{engineName}</dd>
      <dt>ID</dt>
      <dd>
        <code className="short-id" title={container.id}>
          {shortId(container.id)}
        </code>
      </dd>
    </dl>
  );
}
