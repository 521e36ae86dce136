import { create } from 'zustand';

import { initialSyscallsState } from '../state/syscalls.js';
import type { HistogramSort, SyscallsState } from '../state/syscalls.js';

/** The syscall sources, the running subscription and the frame on screen. */
export const useSyscallsStore = create<SyscallsState>()(() => initialSyscallsState);

/** What the user chose in the Syscalls view. */
export interface SyscallsUiState {
  /** The subject (SubjectView.key) whose detail is open, or null. */
  readonly detail: string | null;
  /** Subjects ticked for comparison (shown side by side once two or more are ticked). */
  readonly compare: readonly string[];
  readonly sort: HistogramSort;
  readonly logScale: boolean;
  /** How many syscalls the stacked time series shows (the rest is `other`). */
  readonly topN: number;
}

/** The Syscalls view's choices (not remembered across launches). */
export const useSyscallsUiStore = create<SyscallsUiState>()(() => ({
  detail: null,
  compare: [],
  sort: 'count-desc',
  logScale: false,
  topN: 5,
}));

/** Open a subject's detail (null closes it). */
export function openSyscallDetail(key: string | null): void {
  useSyscallsUiStore.setState({ detail: key });
}

/** Tick or untick a subject for comparison. */
export function toggleCompare(key: string): void {
  useSyscallsUiStore.setState((s) => ({
    compare: s.compare.includes(key) ? s.compare.filter((k) => k !== key) : [...s.compare, key],
  }));
}

/** Change the histogram's order, log scale or series size. */
export function setSyscallsUi(update: Partial<Pick<SyscallsUiState, 'sort' | 'logScale' | 'topN'>>): void {
  useSyscallsUiStore.setState(update);
}
