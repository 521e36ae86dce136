import { create } from 'zustand';

import type { AnomalySettingsRequest, AnomalySourceRequest } from '../../../shared/ipc/contract.js';
import { initialAnomalyState } from '../state/anomaly.js';
import type { AnomalyState } from '../state/anomaly.js';

/** Anomaly detection: the running subscription, its newest snapshot and timeline, the Falco imports. */
export const useAnomalyStore = create<AnomalyState>()(() => initialAnomalyState);

/** What the anomaly panel can ask for; registered by the anomaly controller. */
export interface AnomalyActions {
  /** Start detection on this source (a running one is stopped first). */
  start(request: AnomalySourceRequest, settings: AnomalySettingsRequest): void;
  stop(): void;
  /** Import a Falco JSON file into the running subscription's timeline. */
  importFalco(path: string): void;
}

let actions: AnomalyActions | null = null;

/** Register the controller's actions; null unregisters. */
export function setAnomalyActions(next: AnomalyActions | null): void {
  actions = next;
}

/** Start anomaly detection; does nothing before the controller started. */
export function startAnomaly(request: AnomalySourceRequest, settings: AnomalySettingsRequest): void {
  actions?.start(request, settings);
}

/** Stop anomaly detection. */
export function stopAnomaly(): void {
  actions?.stop();
}

/** Import a Falco alert file into the running subscription. */
export function importFalcoAlerts(path: string): void {
  actions?.importFalco(path);
}
