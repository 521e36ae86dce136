import type { ReactElement } from 'react';

import type { Controller } from '../controller.js';
import type { LabController } from '../lab-controller.js';
import type { StageController } from '../stage-controller.js';
import { Banners } from './Banners.js';
import { usePostureUiStore } from '../stores/posture-ui-store.js';
import { usePresenterStore } from '../stores/presenter-store.js';
import { ContainerView } from './ContainerView.js';
import { Header } from './Header.js';
import { LabPanel } from './LabPanel.js';
import { ImageFindingsPanel } from './ImageFindingsPanel.js';
import { PostureMatrixView } from './PostureMatrix.js';
import { PosturePanel } from './PosturePanel.js';
import { PresenterKeys } from './PresenterKeys.js';
import { PresenterView } from './PresenterView.js';
import { ReportDialog } from './ReportDialog.js';
import { StageBanner } from './StageBanner.js';
import { SyscallsView } from './SyscallsView.js';
import type { SyscallsController } from '../syscalls-controller.js';
import { MAIN_PANEL_ID, viewTabId } from './ViewSwitch.js';

/**
 * The app shell: header, banners, and the chosen view (containers side by side, or the posture matrix) —
 * or, in presenter mode, one or two containers on stage in large type.
 */
export function App({
  controller,
  syscalls,
  lab,
  stage,
}: {
  readonly controller: Controller;
  readonly syscalls: SyscallsController;
  readonly lab: LabController;
  readonly stage: StageController;
}): ReactElement {
  const view = usePostureUiStore((s) => s.view);
  const presenter = usePresenterStore((s) => s.on);
  return (
    <div className={presenter ? 'app presenter' : 'app'}>
      <PresenterKeys />
      <Header />
      <Banners controller={controller} />
      <StageBanner stage={stage} />
      <LabPanel controller={lab} />
      {presenter ? (
        <main className="main presenter-main" aria-label="Presenter mode">
          <PresenterView />
        </main>
      ) : (
        <main className="main" id={MAIN_PANEL_ID} role="tabpanel" aria-labelledby={viewTabId(view)}>
          {view === 'matrix' ? (
            <PostureMatrixView />
          ) : view === 'syscalls' ? (
            <SyscallsView controller={syscalls} />
          ) : (
            <ContainerView />
          )}
        </main>
      )}
      <PosturePanel />
      <ImageFindingsPanel />
      <ReportDialog />
    </div>
  );
}
