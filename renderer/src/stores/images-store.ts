import { create } from 'zustand';

import { DEFAULT_FINDING_SORT, NO_FINDING_FILTER, initialImagesState } from '../state/images.js';
import type { FindingFilter, FindingSort, ImagePanelTarget, ImagesState } from '../state/images.js';

/** Every image in use with its scan state, the advisory database, and the request counters. */
export const useImagesStore = create<ImagesState>()(() => initialImagesState);

/** What the user chose in the image findings panel. */
export interface ImagesUiState {
  /** The open findings panel, or null. */
  readonly panel: ImagePanelTarget | null;
  readonly sort: FindingSort;
  readonly filter: FindingFilter;
  /** Images whose rescan the user asked for and whose answer has not come back. */
  readonly rescanning: readonly string[];
}

/** The findings panel's target, order and filters. */
export const useImagesUiStore = create<ImagesUiState>()(() => ({
  panel: null,
  sort: DEFAULT_FINDING_SORT,
  filter: NO_FINDING_FILTER,
  rescanning: [],
}));

/** Open the findings panel on an image; null closes it. Filters start empty for each image. */
export function openImagePanel(target: ImagePanelTarget | null): void {
  useImagesUiStore.setState({ panel: target, filter: NO_FINDING_FILTER });
}

/** Order the findings table. */
export function setFindingSort(sort: FindingSort): void {
  useImagesUiStore.setState({ sort });
}

/** Replace the findings table's filters. */
export function setFindingFilter(update: (filter: FindingFilter) => FindingFilter): void {
  useImagesUiStore.setState((s) => ({ filter: update(s.filter) }));
}

let rescanHandler: ((imageId: string) => void) | null = null;

/** Register what a rescan button does (the images controller); null unregisters. */
export function setRescanHandler(handler: ((imageId: string) => void) | null): void {
  rescanHandler = handler;
}

/** Scan an image again, ignoring the engine's cache; does nothing before the controller started. */
export function requestRescan(imageId: string): void {
  rescanHandler?.(imageId);
}
