import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { connectionIndicator } from '../state/status.js';
import { engineLabel } from '../state/format.js';
import { useContainersStore } from '../stores/containers-store.js';
import { useEngineStore } from '../stores/engine-store.js';
import { usePresenterStore } from '../stores/presenter-store.js';
import { useTransportStore } from '../stores/transport-store.js';
import { HostPostureFact } from './HostPostureFact.js';
import { LabToggle } from './LabPanel.js';
import { Pill } from './Pill.js';
import { PresenterToggle } from './PresenterToggle.js';
import { ReportButton } from './ReportDialog.js';
import { ViewSwitch } from './ViewSwitch.js';

/**
 * The app header: product name, the view tabs, connection status, endpoint and engine, the report button,
 * the presenter mode toggle and the Lab panel's. Presenter mode has no views to switch between, so it hides
 * the tabs.
 */
export function Header(): ReactElement {
  const transport = useTransportStore((s) => s.view);
  const { connection, app } = useEngineStore(useShallow((s) => ({ connection: s.connection, app: s.app })));
  const list = useContainersStore((s) => s.list);
  const presenter = usePresenterStore((s) => s.on);
  const indicator = connectionIndicator(transport, connection, list?.source ?? null);
  const engine =
    connection?.phase === 'connected'
      ? engineLabel(connection.engine)
      : list?.source.kind === 'demo'
        ? { product: list.source.recordedOn, detail: 'recorded, not live' }
        : null;

  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M3 5h18v14H3z" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M9 5v14M15 5v14" stroke="currentColor" strokeWidth="2" />
        </svg>
        <span className="brand-name">Bulkhead</span>
        {app !== null ? <span className="brand-version">v{app.version}</span> : null}
      </div>
      {presenter ? null : <ViewSwitch />}
      <div className="header-facts">
        <Pill indicator={indicator} className="connection-pill" />
        {connection !== null ? (
          <span className="fact">
            <span className="fact-label">Endpoint</span>
            <code className="fact-value endpoint-url">{connection.endpoint.url}</code>
            <span className="fact-note">via {connection.endpoint.source}</span>
          </span>
        ) : null}
        {engine !== null ? (
          <span className="fact">
            <span className="fact-label">Engine</span>
            <span className="fact-value engine-name">{engine.product}</span>
            {engine.detail !== '' ? <span className="fact-note">{engine.detail}</span> : null}
          </span>
        ) : null}
        <HostPostureFact />
      </div>
      <div className="header-toggles">
        <ReportButton />
        <PresenterToggle />
        <LabToggle />
      </div>
    </header>
  );
}
