import { create } from 'zustand';

import { initialPostureState } from '../state/posture.js';
import type { PostureState } from '../state/posture.js';

/** The last posture report (or why there is none), and the request counters that keep it current. */
export const usePostureStore = create<PostureState>()(() => initialPostureState);
