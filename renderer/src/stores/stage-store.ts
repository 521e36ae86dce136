import { create } from 'zustand';

import type { SourceTrouble, StageSwitch } from '../state/stage.js';

/** What the on-stage notice needs beyond the other stores. */
export interface StageState {
  /** The engine was connected at some point since the window opened. */
  readonly sawEngine: boolean;
  /** The current live source's failure, as heard. */
  readonly trouble: SourceTrouble | null;
  /** Set when the user switched to the recording from the notice; cleared on the way back. */
  readonly switched: StageSwitch | null;
}

export const useStageStore = create<StageState>()(() => ({
  sawEngine: false,
  trouble: null,
  switched: null,
}));
