import { useEffect, useMemo, useRef } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import '../presenter.css';
import type { ContainerList, ContainerSummary } from '../../../shared/domain/container.js';
import { ASPECTS } from '../aspects.js';
import { orderContainers } from '../state/containers.js';
import { positionText, shownContainers } from '../state/presenter.js';
import { useContainersStore } from '../stores/containers-store.js';
import { usePresenterStore } from '../stores/presenter-store.js';
import { ContainerView } from './ContainerView.js';
import { DemoTag } from './DemoTag.js';
import { ProblemsList } from './ProblemsList.js';

/**
 * Presenter mode's main area: one container, or two side by side, in large high-contrast type, with the
 * keys on screen. The aspect rows are the grid's (aspects.ts), drawn by the same cell components.
 *
 * Without containers it shows what the container view shows (loading, unreachable engine, none yet).
 */
export function PresenterView(): ReactElement {
  const list = useContainersStore((s) => s.list);
  if (list === null || list.containers.length === 0) return <ContainerView />;
  return (
    <>
      <PresenterStage list={list} />
      <ProblemsList problems={list.problems} />
    </>
  );
}

function prefersReducedMotion(): boolean {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function PresenterStage({ list }: { readonly list: ContainerList }): ReactElement {
  const containers = useMemo(() => orderContainers(list.containers), [list.containers]);
  const ids = useMemo(() => containers.map((c) => c.id), [containers]);
  const state = usePresenterStore(
    useShallow((s) => ({
      split: s.split,
      primary: s.primary,
      second: s.second,
      aspect: s.aspect,
      direction: s.direction,
    })),
  );
  const shown = shownContainers(ids, state);
  const onStage = [shown.primary, shown.second]
    .map((id) => containers.find((c) => c.id === id))
    .filter((c): c is ContainerSummary => c !== undefined);
  const demo = list.source.kind === 'demo';
  const rows = useRef(new Map<string, HTMLElement>());

  // ↑/↓ move focus to an aspect row and bring it into view; the focused row is outlined for the room.
  useEffect(() => {
    if (state.aspect === null) return;
    const row = rows.current.get(state.aspect);
    if (row === undefined) return;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  }, [state.aspect]);

  const split = state.split && onStage.length === 2;
  const names = onStage.map((c) => c.name).join(' and ');
  return (
    <section
      className={`presenter-stage${split ? ' presenter-split' : ''}`}
      aria-label={`Presenter mode: ${names}`}
      data-presenter-stage=""
      data-direction={state.direction}
      data-split={split}
    >
      <p className="presenter-sr" role="status">
        {onStage.map((c) => `${c.name}, container ${positionText(ids, c.id)}`).join('; ')}
      </p>
      <div className="presenter-heads">
        {onStage.map((c, index) => (
          <header
            key={c.id}
            className={`presenter-head presenter-enter${demo ? ' presenter-head-demo' : ''}`}
            data-container-name={c.name}
            data-side={index === 0 ? 'primary' : 'second'}
          >
            <h2 className="presenter-name">{c.name}</h2>
            <span className="presenter-position">
              {split ? (index === 0 ? 'Left · ' : 'Right · ') : ''}
              {positionText(ids, c.id)}
            </span>
            {demo ? (
              <span className="presenter-demo">
                <DemoTag />
                <span className="presenter-demo-note">Recorded demo data, not a live container</span>
              </span>
            ) : null}
          </header>
        ))}
        {state.split && onStage.length < 2 ? (
          <p className="presenter-note">Only one container: nothing to show beside it.</p>
        ) : null}
      </div>
      <div className="presenter-rows">
        {ASPECTS.map(({ id, title, description, Cell }) => (
          <section
            key={id}
            ref={(element) => {
              if (element === null) rows.current.delete(id);
              else rows.current.set(id, element);
            }}
            className={`presenter-row presenter-row-${id}`}
            tabIndex={-1}
            aria-labelledby={`presenter-row-${id}`}
            data-aspect={id}
            data-current={state.aspect === id}
          >
            <h3 className="presenter-row-title" id={`presenter-row-${id}`}>
              {title}
              <span className="presenter-row-description">{description}</span>
            </h3>
            <div className="presenter-cells">
              {onStage.map((c) => (
                <div
                  key={c.id}
                  className={`presenter-cell presenter-enter aspect-${id}`}
                  data-container-name={c.name}
                  aria-label={split ? `${title} of ${c.name}` : undefined}
                  role={split ? 'group' : undefined}
                >
                  <Cell container={c} source={list.source} engineName={list.engineName} />
                </div>
              ))}
            </div>
          </section>
        ))}
      </div>
      <p className="presenter-hint" data-presenter-hint="">
        <span>
          <kbd>←</kbd> <kbd>→</kbd> container
        </span>
        {' · '}
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> aspect
        </span>
        {' · '}
        <span>
          <kbd>2</kbd> split
        </span>
        {' · '}
        <span>
          <kbd>Shift</kbd>+<kbd>←</kbd> <kbd>→</kbd> second
        </span>
        {' · '}
        <span>
          <kbd>p</kbd> exit
        </span>
      </p>
    </section>
  );
}
