import type { BulkheadBridge } from '../../shared/ipc/bridge.js';
import { Channels } from '../../shared/ipc/contract.js';
import { applyGenerateResult, beginGenerate, keepSubscription } from './state/seccomp.js';
import type { SeccompTarget } from './state/seccomp.js';
import { seccompHandler, setSeccompHandler, useSeccompStore } from './stores/seccomp-store.js';
import { useSyscallsStore } from './stores/syscalls-store.js';

/** What the seccomp panel can ask of the engine. */
export interface SeccompController {
  /** Ask `seccomp:generate` for a subject of a subscription; the answer lands in the seccomp store. */
  generate(target: SeccompTarget, quietSeconds: number): Promise<void>;
  /** Stop: answers still in flight are dropped. */
  dispose(): void;
}

/**
 * Wire `seccomp:generate` to the seccomp store.
 *
 * Each request goes through the pure functions in ./state/seccomp.ts (an answer overtaken by a newer request
 * for the same subject is ignored). When the syscall subscription changes, the profiles of the old one are
 * dropped: the engine disposed its totals with it.
 */
export function startSeccompController(bridge: BulkheadBridge): SeccompController {
  let disposed = false;

  const generate = async (target: SeccompTarget, quietSeconds: number): Promise<void> => {
    if (disposed) return;
    const { state, seq } = beginGenerate(useSeccompStore.getState(), target, quietSeconds);
    useSeccompStore.setState(state);
    const result = await bridge.invoke(Channels.seccompGenerate, {
      subId: target.subId,
      subject: target.subject,
      quietSeconds,
    });
    if (disposed) return;
    useSeccompStore.setState((s) => applyGenerateResult(s, target, seq, result));
  };

  const handler = (target: SeccompTarget, quietSeconds: number): void => void generate(target, quietSeconds);
  setSeccompHandler(handler);

  let subId = useSyscallsStore.getState().subscription?.subId ?? null;
  useSeccompStore.setState((s) => keepSubscription(s, subId));
  const offSyscalls = useSyscallsStore.subscribe((s) => {
    const next = s.subscription?.subId ?? null;
    if (next === subId) return;
    subId = next;
    useSeccompStore.setState((st) => keepSubscription(st, next));
  });

  return {
    generate,
    dispose() {
      disposed = true;
      if (seccompHandler() === handler) setSeccompHandler(null);
      offSyscalls();
    },
  };
}
