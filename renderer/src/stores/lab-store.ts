import { create } from 'zustand';

import { initialLabState } from '../state/lab.js';
import type { LabViewState } from '../state/lab.js';

/** The demo lab: its status, the operation running or last run, and whether the Lab panel is open. */
export const useLabStore = create<LabViewState>()(() => initialLabState);

/** Open or close the Lab panel. */
export function setLabOpen(open: boolean): void {
  useLabStore.setState({ open });
}
