import { useEffect, useRef } from 'react';
import type { KeyboardEvent, RefObject } from 'react';

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** What a drawer component wires into its `<dialog>` and its heading. */
export interface ModalDialog {
  readonly dialog: RefObject<HTMLDialogElement | null>;
  readonly heading: RefObject<HTMLHeadingElement | null>;
  /** The dialog's `onClose`: tells the store, then gives focus back to whatever opened it. */
  readonly onClose: () => void;
  /** The dialog's `onKeyDown`: Tab and Shift+Tab wrap inside it. */
  readonly onKeyDown: (event: KeyboardEvent<HTMLDialogElement>) => void;
}

/**
 * A native modal `<dialog>` drawer driven by a store: shown while `open`, closed when not.
 *
 * The page behind is inert while it is open; Tab wraps inside it, Escape closes it, and focus goes back to
 * the element that had it when the dialog opened. `focusHeadingOnOpen` moves focus to the heading as it
 * opens (the posture panel instead moves it on every change of target, itself).
 */
export function useModalDialog(open: boolean, closed: () => void, focusHeadingOnOpen = true): ModalDialog {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
      if (focusHeadingOnOpen) heading.current?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open, focusHeadingOnOpen]);

  const onClose = (): void => {
    closed();
    const back = opener.current;
    opener.current = null;
    if (back !== null && back.isConnected) back.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>): void => {
    if (event.key !== 'Tab' || dialog.current === null) return;
    const items = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items.at(-1);
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === heading.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return { dialog, heading, onClose, onKeyDown };
}
