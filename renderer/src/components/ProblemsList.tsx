import type { ReactElement } from 'react';

import type { ContainerList } from '../../../shared/domain/container.js';
import { shortId } from '../../../shared/domain/ids.js';
import { Icon } from './Icon.js';

/** Containers the engine listed but that could not be inspected, each with the reason. */
export function ProblemsList({
  problems,
}: {
  readonly problems: ContainerList['problems'];
}): ReactElement | null {
  if (problems.length === 0) return null;
  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title" className="problems-title">
        <Icon name="alert" />
        {problems.length === 1
          ? '1 container could not be inspected'
          : `${problems.length} containers could not be inspected`}
      </h2>
      <ul>
        {problems.map((p) => (
          <li key={p.id}>
            <span className="problem-name">{p.name === '' ? shortId(p.id) : p.name}</span>{' '}
            <code className="short-id">{shortId(p.id)}</code>
            <span className="problem-message">{p.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
