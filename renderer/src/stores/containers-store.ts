import { create } from 'zustand';

import { initialContainersState } from '../state/containers.js';
import type { ContainersState } from '../state/containers.js';

/** The last container list (or why there is none). */
export const useContainersStore = create<ContainersState>()(() => initialContainersState);
