import { useEffect } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { StageController } from '../stage-controller.js';
import { isSwitchKey, stageNotice } from '../state/stage.js';
import { useClockStore } from '../stores/clock-store.js';
import { useEngineStore } from '../stores/engine-store.js';
import { useStageStore } from '../stores/stage-store.js';
import { useSyscallsStore } from '../stores/syscalls-store.js';
import { Icon } from './Icon.js';

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
 * The on-stage line: the engine or the live syscall source died — what happened, in one line, and
 * "Switch to recording (R)"; on the recording, "Back to live" once live is there again. `r` (outside
 * text fields and dialogs) does what the switch button does, while it is offered.
 */
export function StageBanner({ stage }: { readonly stage: StageController }): ReactElement | null {
  const connection = useEngineStore((s) => s.connection);
  const { sawEngine, trouble, switched } = useStageStore(useShallow((s) => s));
  const { request, sources } = useSyscallsStore(
    useShallow((s) => ({ request: s.subscription?.request ?? null, sources: s.sources })),
  );
  const now = useClockStore((s) => s.now);
  const notice = stageNotice({ connection, sawEngine, request, trouble, sources, switched, now });
  const offersSwitch = notice?.kind === 'lost' && notice.canSwitch;

  useEffect(() => {
    if (!offersSwitch) return undefined;
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.isComposing || event.repeat) return;
      const target = event.target;
      const key = {
        key: event.key,
        ctrlKey: event.ctrlKey,
        altKey: event.altKey,
        metaKey: event.metaKey,
        typing: isTyping(target),
        inDialog:
          (target instanceof Element && target.closest('dialog') !== null) ||
          document.querySelector('dialog[open]') !== null,
      };
      if (!isSwitchKey(key)) return;
      event.preventDefault();
      stage.switchToRecording();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [offersSwitch, stage]);

  if (notice === null) return null;
  if (notice.kind === 'back')
    return (
      <div className="stage-banner tone-demo" role="status" data-stage-banner="back">
        <Icon name="play" />
        <p className="stage-text" title={notice.text}>
          {notice.text}
        </p>
        <button
          type="button"
          className="banner-action"
          data-stage-action="back"
          onClick={() => stage.backToLive()}
        >
          Back to live
        </button>
      </div>
    );
  return (
    <div className="stage-banner tone-bad" role="alert" data-stage-banner="lost" data-cause={notice.cause}>
      <Icon name={notice.cause === 'engine' ? 'plug-off' : 'alert'} />
      <p className="stage-text" title={notice.text}>
        {notice.text}
      </p>
      {notice.canSwitch ? (
        <button
          type="button"
          className="banner-action"
          aria-keyshortcuts="r"
          data-stage-action="switch"
          onClick={() => stage.switchToRecording()}
        >
          Switch to recording <kbd aria-hidden="true">R</kbd>
        </button>
      ) : null}
    </div>
  );
}
