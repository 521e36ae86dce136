import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { isLoading, listUnavailableText, summarizeStates } from '../state/containers.js';
import { useContainersStore } from '../stores/containers-store.js';
import { ContainerGrid } from './ContainerGrid.js';
import { EmptyState } from './EmptyState.js';
import { Icon } from './Icon.js';
import { ProblemsList } from './ProblemsList.js';

/** The main area: the container grid, or why there is none. */
export function ContainerView(): ReactElement {
  const { list, error, loading } = useContainersStore(
    useShallow((s) => ({ list: s.list, error: s.error, loading: isLoading(s) })),
  );
  if (list === null) {
    if (error !== null) {
      return (
        <div className="placeholder" role="status">
          <Icon name="plug-off" />
          <p className="placeholder-detail">{listUnavailableText(error)}</p>
        </div>
      );
    }
    return (
      <div className="placeholder" role="status">
        <Icon name="spinner" />
        <p>{loading ? 'Loading containers…' : 'Waiting for the engine…'}</p>
      </div>
    );
  }
  return (
    <>
      {list.containers.length === 0 ? (
        <EmptyState engineName={list.engineName} />
      ) : (
        <>
          <div className="grid-toolbar">
            <span className="grid-summary">{summarizeStates(list.containers)}</span>
            <span className="grid-hint">
              <kbd>←</kbd> <kbd>→</kbd> move between containers · <kbd>Home</kbd> <kbd>End</kbd> first, last
            </span>
          </div>
          <ContainerGrid list={list} />
        </>
      )}
      <ProblemsList problems={list.problems} />
    </>
  );
}
