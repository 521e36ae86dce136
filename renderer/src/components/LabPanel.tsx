import { useEffect, useId, useRef } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import '../lab.css';
import type { LabController } from '../lab-controller.js';
import { labActions, labErrorLine } from '../state/lab.js';
import type { LabAction } from '../state/lab.js';
import { revealInvisible } from '../state/format.js';
import { isTransportUp } from '../state/transport.js';
import { useContainersStore } from '../stores/containers-store.js';
import { setLabOpen, useLabStore } from '../stores/lab-store.js';
import { useTransportStore } from '../stores/transport-store.js';
import { Icon } from './Icon.js';

/** The header's "Lab" button: opens and closes the Lab panel. */
export function LabToggle(): ReactElement {
  const open = useLabStore((s) => s.open);
  return (
    <button
      type="button"
      className="lab-toggle"
      aria-expanded={open}
      aria-controls={LAB_PANEL_ID}
      data-lab-toggle=""
      onClick={() => setLabOpen(!open)}
    >
      <Icon name="skull" />
      <span>Lab</span>
    </button>
  );
}

/** The id of the Lab panel, for the toggle's aria-controls. */
export const LAB_PANEL_ID = 'lab-panel';

/**
 * The demo lab in the app: Up / Attack weak / Attack hardened / Down (the same operations and lines as
 * `bulkhead lab …`), the lab's containers, and the log of the operation running or last run, with the
 * steps that EPERM or EACCES stopped marked BLOCKED. A button that cannot run now stays focusable and
 * says why (demo data, no engine, a remote engine, a missing image, nothing to attack).
 */
export function LabPanel({ controller }: { readonly controller: LabController }): ReactElement | null {
  const state = useLabStore(useShallow((s) => s));
  const source = useContainersStore((s) => s.list?.source ?? null);
  const transportUp = useTransportStore((s) => isTransportUp(s.view));
  const titleId = useId();
  const reasonId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state.open) heading.current?.focus();
  }, [state.open]);
  if (!state.open) return null;

  const actions = labActions(state, source, transportUp);
  const reasons = [...new Set(actions.map((a) => a.reason).filter((r): r is string => r !== null))];
  const error = labErrorLine(state);
  const { op, status } = state;
  return (
    <section id={LAB_PANEL_ID} className="lab-panel" aria-labelledby={titleId} data-lab-panel="">
      <header className="lab-head">
        <h2 id={titleId} className="lab-title" tabIndex={-1} ref={heading}>
          Demo lab
        </h2>
        <p className="lab-engine">
          {status?.engine != null ? (
            <>
              on <code>{status.engine}</code> ·{' '}
            </>
          ) : null}
          {status === null ? '…' : containersText(status.containers)}
        </p>
        <button type="button" className="lab-close" data-lab-close="" onClick={() => setLabOpen(false)}>
          Close
        </button>
      </header>
      <div className="lab-actions" role="group" aria-label="Lab actions">
        {actions.map((a) => (
          <LabButton
            key={a.id}
            action={a}
            reasonId={reasonId}
            onRun={() => controller.start(a.op, a.target)}
          />
        ))}
      </div>
      {reasons.length > 0 ? (
        <ul className="lab-reasons" id={reasonId} data-lab-reasons="">
          {reasons.length === 1 && actions.every((a) => a.reason === reasons[0]) ? (
            <li>{revealInvisible(reasons[0]!)}</li>
          ) : (
            actions
              .filter((a) => a.reason !== null)
              .map((a) => (
                <li key={a.id}>
                  <strong>{a.label}</strong>: {revealInvisible(a.reason!)}
                </li>
              ))
          )}
        </ul>
      ) : null}
      {error !== null ? (
        <p className="lab-error" role="alert" data-lab-error="" title={error}>
          <Icon name="alert" /> <span>{revealInvisible(error)}</span>
        </p>
      ) : null}
      {op !== null ? (
        <div className="lab-log-wrap">
          <p className="lab-log-title">
            {op.done === null ? <Icon name="spinner" /> : null}
            {op.op === 'attack' ? `Attack on ${op.target ?? '?'}` : `Lab ${op.op}`}
            {op.done === null ? ' — running' : op.done.ok ? ' — done' : ' — failed'}
          </p>
          <ol className="lab-log" aria-label="Lab log" aria-live="polite" data-lab-log={op.opId}>
            {op.lines.map((line, i) => (
              <li key={i} className={`lab-line lab-line-${line.tone}`} data-tone={line.tone}>
                {line.tone === 'blocked' ? (
                  <span className="lab-mark lab-mark-blocked">BLOCKED</span>
                ) : line.tone === 'through' ? (
                  <span className="lab-mark lab-mark-through">THROUGH</span>
                ) : null}
                <span className="lab-text">{revealInvisible(line.text)}</span>
              </li>
            ))}
          </ol>
          {op.done?.ok === true ? (
            <p className="lab-summary" data-lab-summary="">
              {revealInvisible(op.done.summary)}
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function LabButton({
  action,
  reasonId,
  onRun,
}: {
  readonly action: LabAction;
  readonly reasonId: string;
  readonly onRun: () => void;
}): ReactElement {
  const off = action.reason !== null;
  return (
    <button
      type="button"
      className="lab-action"
      data-lab-action={action.id}
      // aria-disabled, not disabled: the button stays reachable by keyboard and says why it cannot run.
      aria-disabled={off}
      aria-describedby={off ? reasonId : undefined}
      title={action.reason ?? undefined}
      onClick={() => {
        if (!off) onRun();
      }}
    >
      {action.label}
    </button>
  );
}

function containersText(containers: readonly { readonly name: string; readonly state: string }[]): string {
  if (containers.length === 0) return 'no lab containers';
  return containers.map((c) => `${c.name.replace(/^bulkhead-lab-/, '')} ${c.state}`).join(' · ');
}
