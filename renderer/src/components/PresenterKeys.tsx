import { useEffect } from 'react';

import { ASPECTS } from '../aspects.js';
import { orderContainers } from '../state/containers.js';
import { presenterKeyAction } from '../state/presenter.js';
import { useContainersStore } from '../stores/containers-store.js';
import { dispatchPresenter, usePresenterStore } from '../stores/presenter-store.js';

const ASPECT_IDS = ASPECTS.map((a) => a.id);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement ||
    target.isContentEditable
  );
}

/**
 * The keys of presenter mode, on the whole window: `p` toggles it; while it is on, ←/→ (and a clicker's
 * PageUp/PageDown), Home/End, Shift+←/→, `2` and ↑/↓ move what is on stage. Renders nothing.
 *
 * A key another handler already took (a grid card, a slider) is left alone, as are keys typed into a
 * field and keys in an open dialog.
 */
export function PresenterKeys(): null {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.isComposing) return;
      const target = event.target;
      const action = presenterKeyAction(
        {
          key: event.key,
          shiftKey: event.shiftKey,
          ctrlKey: event.ctrlKey,
          altKey: event.altKey,
          metaKey: event.metaKey,
          typing: isTyping(target),
          inDialog:
            (target instanceof Element && target.closest('dialog') !== null) ||
            document.querySelector('dialog[open]') !== null,
        },
        usePresenterStore.getState().on,
      );
      if (action === null) return;
      event.preventDefault();
      // Holding a toggle key must not flip the mode back and forth; holding an arrow may keep moving.
      if (event.repeat && (action === 'toggle' || action === 'split' || action === 'exit')) return;
      const list = useContainersStore.getState().list;
      const ids = list === null ? [] : orderContainers(list.containers).map((c) => c.id);
      dispatchPresenter(action, ids, ASPECT_IDS);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
  return null;
}
