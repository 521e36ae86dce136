import type { ConnectionState } from '../../shared/domain/engine.js';
import type { Controller } from './controller.js';
import { stageNotice, nextTrouble } from './state/stage.js';
import type { StageNotice } from './state/stage.js';
import { LAB_SESSION_REQUEST, defaultSource } from './state/syscalls.js';
import type { SyscallsController } from './syscalls-controller.js';
import { useClockStore } from './stores/clock-store.js';
import { useEngineStore } from './stores/engine-store.js';
import { useStageStore } from './stores/stage-store.js';
import { useSyscallsStore } from './stores/syscalls-store.js';

/** What the on-stage notice can do. */
export interface StageController {
  /** The notice as it stands now. */
  notice(): StageNotice | null;
  /** Switch the runtime source to the looped lab recording (and the cards to demo data if the engine is gone). */
  switchToRecording(): void;
  /** Back to the source the switch left (or the default live one). */
  backToLive(): void;
  dispose(): void;
}

/**
 * Follow the engine and the syscall source for the on-stage notice: remember that the engine was seen,
 * turn the current live source's state pushes into its trouble (state/stage.ts), and switch to the
 * recorded lab session and back. Switching never stops anything else: the cards keep their data source
 * (demo data when the engine is gone), the other controllers keep updating.
 */
export function startStageController(controller: Controller, syscalls: SyscallsController): StageController {
  const seeEngine = (connection: ConnectionState | null): void => {
    if (connection?.phase === 'connected' && !useStageStore.getState().sawEngine)
      useStageStore.setState({ sawEngine: true });
  };
  seeEngine(useEngineStore.getState().connection);
  const offEngine = useEngineStore.subscribe((s) => seeEngine(s.connection));
  const offSyscalls = useSyscallsStore.subscribe((s, before) => {
    const request = s.subscription?.request ?? null;
    if (s.subscription?.seq !== before.subscription?.seq) {
      const switched = useStageStore.getState().switched;
      // Choosing another source by hand ends the "switched" episode.
      useStageStore.setState({
        trouble: null,
        switched: request?.kind === 'lab-session' ? switched : null,
      });
      return;
    }
    if (s.sourceState === before.sourceState) return;
    const info = s.sources?.find((i) => i.kind === request?.kind);
    const label = (info?.label ?? request?.kind ?? 'syscall').replace(/, live$/, '');
    const trouble = nextTrouble(
      useStageStore.getState().trouble,
      request,
      label,
      before.sourceState,
      s.sourceState,
      Date.now(),
    );
    if (trouble !== useStageStore.getState().trouble) useStageStore.setState({ trouble });
  });

  const notice = (): StageNotice | null => {
    const { connection } = useEngineStore.getState();
    const { sawEngine, trouble, switched } = useStageStore.getState();
    const s = useSyscallsStore.getState();
    return stageNotice({
      connection,
      sawEngine,
      request: s.subscription?.request ?? null,
      trouble,
      sources: s.sources,
      switched,
      now: useClockStore.getState().now,
    });
  };

  return {
    notice,
    switchToRecording() {
      const n = notice();
      if (n?.kind !== 'lost' || !n.canSwitch) return;
      const from = useSyscallsStore.getState().subscription?.request ?? null;
      const { connection, app } = useEngineStore.getState();
      if (
        connection?.phase === 'disconnected' &&
        app !== null &&
        app.demoAvailable &&
        !app.showDemoWhenDisconnected
      )
        controller.setDemoVisible(true);
      syscalls.select(LAB_SESSION_REQUEST);
      useStageStore.setState({ switched: { from, cause: n.cause, at: Date.now() }, trouble: null });
    },
    backToLive() {
      const { switched } = useStageStore.getState();
      if (switched === null) return;
      const sources = useSyscallsStore.getState().sources ?? [];
      const to = switched.from ?? defaultSource(sources);
      useStageStore.setState({ switched: null });
      syscalls.select(to);
    },
    dispose() {
      offEngine();
      offSyscalls();
    },
  };
}
