import { create } from 'zustand';

import { NO_FILTER, parseStoredSort, parseStoredView } from '../state/posture-matrix.js';
import type { ColumnSort, MainView, RowFilter } from '../state/posture-matrix.js';
import type { PostureTarget } from '../state/posture.js';

/** What the user chose: the main view, the matrix's order and filters, and what the posture panel shows. */
export interface PostureUiState {
  readonly view: MainView;
  readonly sort: ColumnSort;
  readonly filter: RowFilter;
  /** The open posture panel, or null. */
  readonly panel: PostureTarget | null;
}

const VIEW_KEY = 'bulkhead.view';
const SORT_KEY = 'bulkhead.posture.sort';

// Storage can be unavailable (a sandboxed page, storage disabled); the choice is then not remembered.
function readStored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStored(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Not remembered; the choice still applies to this window.
  }
}

/** The view, sort and filters of the posture UI; view and sort are remembered across launches. */
export const usePostureUiStore = create<PostureUiState>()(() => ({
  view: parseStoredView(readStored(VIEW_KEY)),
  sort: parseStoredSort(readStored(SORT_KEY)),
  filter: NO_FILTER,
  panel: null,
}));

/** Switch the main view and remember it. */
export function setMainView(view: MainView): void {
  usePostureUiStore.setState({ view });
  writeStored(VIEW_KEY, view);
}

/** Order the matrix columns and remember it. */
export function setColumnSort(sort: ColumnSort): void {
  usePostureUiStore.setState({ sort });
  writeStored(SORT_KEY, sort);
}

/** Replace the matrix filters. */
export function setRowFilter(update: (filter: RowFilter) => RowFilter): void {
  usePostureUiStore.setState((s) => ({ filter: update(s.filter) }));
}

/** Open the posture panel on a container's findings or one finding; null closes it. */
export function openPosturePanel(target: PostureTarget | null): void {
  usePostureUiStore.setState({ panel: target });
}
