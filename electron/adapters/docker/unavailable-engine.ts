import type { EndpointDescription } from '../../../shared/domain/engine.js';
import type { BulkheadError } from '../../../shared/ipc/result.js';
import type { EnginePort } from '../../services/ports.js';

/**
 * An engine that could not even be configured (bad DOCKER_HOST, missing context, unreadable config).
 *
 * Every call fails with the resolution error, so the app still starts, shows the error (and the demo
 * scenario) instead of crashing, and the monitor's retries keep reporting the same clear message.
 */
export function createUnavailableEngine(endpoint: EndpointDescription, error: BulkheadError): EnginePort {
  const fail = (): Promise<never> => Promise.reject(error);
  return {
    endpoint,
    ping: fail,
    describe: fail,
    listContainers: fail,
    inspectContainer: fail,
    inspectContainers: fail,
    engineDocuments: fail,
    watchEvents(_onEvent, onEnd) {
      let ended = false;
      queueMicrotask(() => {
        if (!ended) {
          ended = true;
          onEnd(error);
        }
      });
      return {
        dispose() {
          if (!ended) {
            ended = true;
            onEnd(null);
          }
        },
      };
    },
  };
}
