import { create } from 'zustand';

import { initialSeccompState } from '../state/seccomp.js';
import type { SeccompState, SeccompTarget } from '../state/seccomp.js';

/** The seccomp profiles asked for in the current subscription, per subject. */
export const useSeccompStore = create<SeccompState>()(() => initialSeccompState);

type GenerateHandler = (target: SeccompTarget, quietSeconds: number) => void;

let generateHandler: GenerateHandler | null = null;

/** Register what a "Generate seccomp profile" button does (the seccomp controller); null unregisters. */
export function setSeccompHandler(handler: GenerateHandler | null): void {
  generateHandler = handler;
}

/** The registered handler (so a disposed controller only unregisters itself). */
export function seccompHandler(): GenerateHandler | null {
  return generateHandler;
}

/**
 * Ask the engine for a subject's profile with this quiet stretch; does nothing before the controller
 * started.
 */
export function requestSeccompProfile(target: SeccompTarget, quietSeconds: number): void {
  generateHandler?.(target, quietSeconds);
}
