import type { LabPort } from '../../services/lab-ports.js';
import type { LabEngine, LabImages } from './lab.js';
import { DEFAULT_LAB_IMAGES, labAttack, labDown, labStatus, labUp } from './lab.js';

/**
 * The lab port over lab.ts, the same functions `bulkhead lab up|attack|down` call. The engine is opened
 * on first use and kept; `open` throws BulkheadError when the endpoint cannot be resolved, and so does
 * every method then.
 */
export function createLabPort(open: () => LabEngine, images: LabImages = DEFAULT_LAB_IMAGES): LabPort {
  let lab: LabEngine | null = null;
  const engine = (): LabEngine => (lab ??= open());
  return {
    endpoint: () => ({ url: engine().endpoint.url, local: engine().endpoint.local }),
    status: () => labStatus(engine(), images),
    up: (onEntry) => labUp(engine(), { images, onEntry }),
    attack: (target, options) => labAttack(engine(), target, options),
    down: (onRemoved) => labDown(engine(), { onRemoved }),
  };
}
