import { useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent, ReactElement } from 'react';

import type { ContainerList } from '../../../shared/domain/container.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import { ASPECTS } from '../aspects.js';
import { nextCardIndex } from '../state/card-focus.js';
import { orderContainers } from '../state/containers.js';
import { choosePresenterContainer, usePresenterStore } from '../stores/presenter-store.js';
import { DemoTag } from './DemoTag.js';

/**
 * Containers side by side: one column (card) per container, one row per aspect.
 *
 * Cards use a roving tabindex: Tab enters the grid on the active card, Left/Right/Home/End move between
 * cards. Rows line up across cards through CSS subgrid. The focused card is the one presenter mode opens
 * on, and the grid starts on the card presenter mode last showed.
 */
export function ContainerGrid({ list }: { readonly list: ContainerList }): ReactElement {
  const containers = orderContainers(list.containers);
  const [activeId, setActiveId] = useState<ContainerId | null>(() => usePresenterStore.getState().primary);
  const cards = useRef(new Map<ContainerId, HTMLElement>());
  const activeIndex = Math.max(
    0,
    containers.findIndex((c) => c.id === activeId),
  );
  const demo = list.source.kind === 'demo';

  const onKeyDown = (event: KeyboardEvent<HTMLElement>, index: number): void => {
    const next = nextCardIndex(index, event.key, containers.length);
    if (next === null) return;
    event.preventDefault();
    const target = containers[next];
    if (target === undefined) return;
    setActiveId(target.id);
    const element = cards.current.get(target.id);
    element?.focus();
    element?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };

  // The row count reaches the stylesheet as a custom property. React sets it through the CSSOM, which the
  // CSP (style-src 'self') allows; a style attribute in markup would be blocked.
  const style = { '--aspect-rows': ASPECTS.length } as CSSProperties;

  return (
    <div className="grid-scroller">
      <div className="grid" style={style} role="list" aria-label={`${containers.length} containers`}>
        <div className="row-heads" aria-hidden="true">
          <div className="row-head row-head-corner" />
          {ASPECTS.map((aspect) => (
            <div key={aspect.id} className="row-head">
              <span className="row-head-title">{aspect.title}</span>
              <span className="row-head-description">{aspect.description}</span>
            </div>
          ))}
        </div>
        {containers.map((container, index) => (
          <article
            key={container.id}
            ref={(element) => {
              if (element === null) cards.current.delete(container.id);
              else cards.current.set(container.id, element);
            }}
            className={`card${demo ? ' card-demo' : ''}`}
            role="listitem"
            tabIndex={index === activeIndex ? 0 : -1}
            aria-label={`Container ${container.name}`}
            data-container-id={container.id}
            data-container-name={container.name}
            onKeyDown={(event) => onKeyDown(event, index)}
            onFocus={() => {
              setActiveId(container.id);
              choosePresenterContainer(container.id);
            }}
          >
            <header className="card-head">
              <h2 className="card-title" title={container.name}>
                {container.name}
              </h2>
              {demo ? <DemoTag /> : null}
            </header>
            {ASPECTS.map(({ id, title, Cell }) => (
              <section key={id} className={`aspect aspect-${id}`} aria-label={title}>
                <Cell container={container} source={list.source} engineName={list.engineName} />
              </section>
            ))}
          </article>
        ))}
      </div>
    </div>
  );
}
