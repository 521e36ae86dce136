import type { ReactElement } from 'react';

import type { Controller } from '../controller.js';
import { Banners } from './Banners.js';
import { usePostureUiStore } from '../stores/posture-ui-store.js';
import { ContainerView } from './ContainerView.js';
import { Header } from './Header.js';
import { ImageFindingsPanel } from './ImageFindingsPanel.js';
import { PostureMatrixView } from './PostureMatrix.js';
import { PosturePanel } from './PosturePanel.js';
import { SyscallsView } from './SyscallsView.js';
import type { SyscallsController } from '../syscalls-controller.js';
import { MAIN_PANEL_ID, viewTabId } from './ViewSwitch.js';

/** The app shell: header, banners, and the chosen view (containers side by side, or the posture matrix). */
export function App({
  controller,
  syscalls,
}: {
  readonly controller: Controller;
  readonly syscalls: SyscallsController;
}): ReactElement {
  const view = usePostureUiStore((s) => s.view);
  return (
    <div className="app">
      <Header />
      <Banners controller={controller} />
      <main className="main" id={MAIN_PANEL_ID} role="tabpanel" aria-labelledby={viewTabId(view)}>
        {view === 'matrix' ? (
          <PostureMatrixView />
        ) : view === 'syscalls' ? (
          <SyscallsView controller={syscalls} />
        ) : (
          <ContainerView />
        )}
      </main>
      <PosturePanel />
      <ImageFindingsPanel />
    </div>
  );
}
