import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import {
  applyExportResult,
  applyProgress,
  beginExport,
  exportRequest,
  formProblem,
  newExportId,
} from './state/report-export.js';
import { useAnomalyStore } from './stores/anomaly-store.js';
import { useContainersStore } from './stores/containers-store.js';
import { setReportActions, useReportStore } from './stores/report-store.js';
import { useSyscallsStore } from './stores/syscalls-store.js';

/** What the report dialog can ask of the engine. */
export interface ReportController {
  /** Stop listening. */
  dispose(): void;
}

/**
 * Wire `report:export`, `report:reveal` and the `report:progress` pushes to the report store.
 *
 * The export names this client's running syscall and anomaly subscriptions, so the runtime sections come
 * from what the app is showing; progress pushes are matched to the export by its id (another window's, or
 * an earlier export's, are ignored).
 */
export function startReportController(bridge: BulkheadBridge): ReportController {
  let disposed = false;
  const stopProgress = bridge.on(Pushes.reportProgress, (push) => {
    useReportStore.setState((s) => applyProgress(s, push));
  });

  const runExport = async (): Promise<void> => {
    const state = useReportStore.getState();
    if (state.run.phase === 'running') return;
    const available = useContainersStore.getState().list?.containers.map((c) => c.id) ?? [];
    if (formProblem(state.form, available) !== null) return;
    const exportId = newExportId((bytes) => {
      crypto.getRandomValues(bytes);
    });
    useReportStore.setState((s) => beginExport(s, exportId));
    const result = await bridge.invoke(
      Channels.reportExport,
      exportRequest(state.form, exportId, available, {
        syscallsSubId: useSyscallsStore.getState().subscription?.subId ?? null,
        anomalySubId: useAnomalyStore.getState().subscription?.subId ?? null,
      }),
    );
    if (disposed) return;
    useReportStore.setState((s) => applyExportResult(s, exportId, result));
  };

  const runReveal = async (path: string): Promise<void> => {
    useReportStore.setState({ reveal: { phase: 'asking' } });
    const result = await bridge.invoke(Channels.reportReveal, { path });
    if (disposed) return;
    useReportStore.setState({
      reveal: result.ok
        ? result.value.revealed
          ? { phase: 'revealed' }
          : { phase: 'unavailable', reason: null }
        : { phase: 'unavailable', reason: result.error.message },
    });
  };

  setReportActions({
    export: () => void runExport(),
    reveal: (path) => void runReveal(path),
  });

  return {
    dispose() {
      disposed = true;
      stopProgress();
      setReportActions(null);
    },
  };
}
