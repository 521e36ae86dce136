import { create } from 'zustand';

import { initialEngineViewState } from '../state/engine.js';
import type { EngineViewState } from '../state/engine.js';

/** The engine connection state machine and the app description, as last reported. */
export const useEngineStore = create<EngineViewState>()(() => initialEngineViewState);
