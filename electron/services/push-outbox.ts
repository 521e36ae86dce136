import type { SourceState } from '../../shared/domain/syscalls/model.js';
import type { Clock, Disposable } from './ports.js';

/**
 * The pushes of one subscription, in order: states as they come, summaries (syscall frames, anomaly
 * snapshots) at most one per `minIntervalMs`, a newer summary waiting replacing the older one (summaries
 * carry everything up to now, so a replaced one loses nothing). STYLE §4: bounded rate, bounded memory.
 */
export interface PushOutbox<S> extends Disposable {
  queueSummary(summary: S): void;
  queueState(state: SourceState): void;
}

/** What an outbox sends through. */
export interface PushOutboxOptions<S> {
  readonly clock: Clock;
  readonly minIntervalMs: number;
  readonly sendSummary: (summary: S) => void;
  readonly sendState: (state: SourceState) => void;
}

type Item<S> =
  { readonly kind: 'summary'; readonly summary: S } | { readonly kind: 'state'; readonly state: SourceState };

/** Create an outbox; `dispose()` drops what waits and sends nothing more. */
export function createPushOutbox<S>(options: PushOutboxOptions<S>): PushOutbox<S> {
  const { clock } = options;
  const items: Item<S>[] = [];
  let timer: Disposable | null = null;
  let lastSummaryAt: number | null = null;
  let closed = false;

  const pump = (): void => {
    if (timer !== null) return;
    while (items.length > 0 && !closed) {
      const item = items[0]!;
      if (item.kind === 'summary') {
        const now = clock.now();
        const wait = lastSummaryAt === null ? 0 : lastSummaryAt + options.minIntervalMs - now;
        if (wait > 0) {
          timer = clock.setTimeout(() => {
            timer = null;
            pump();
          }, wait);
          return;
        }
        lastSummaryAt = now;
        items.shift();
        options.sendSummary(item.summary);
      } else {
        items.shift();
        options.sendState(item.state);
      }
    }
  };

  return {
    queueSummary(summary) {
      if (closed) return;
      const last = items[items.length - 1];
      if (last?.kind === 'summary') items[items.length - 1] = { kind: 'summary', summary };
      else items.push({ kind: 'summary', summary });
      pump();
    },
    queueState(state) {
      if (closed) return;
      items.push({ kind: 'state', state });
      pump();
    },
    dispose() {
      closed = true;
      timer?.dispose();
      timer = null;
      items.length = 0;
    },
  };
}
