import type {
  AttackReport,
  AttackStep,
  AttackStepResult,
  AttackSubject,
  LabDownReport,
  LabEngineStatus,
  LabRole,
  LabUpEntry,
  LabUpReport,
} from '../../shared/domain/lab.js';

/**
 * The port of the demo lab (implemented by electron/adapters/docker/lab-port.ts over lab.ts, the same
 * functions `bulkhead lab` calls). Every method throws BulkheadError when the engine fails or refuses.
 */
export interface LabPort {
  /** The engine the lab runs on; throws when it cannot be resolved. */
  endpoint(): { readonly url: string; readonly local: boolean };
  status(): Promise<LabEngineStatus>;
  up(onEntry: (entry: LabUpEntry) => void): Promise<LabUpReport>;
  attack(target: LabRole, options: LabAttackOptions): Promise<AttackReport>;
  down(onRemoved: (c: LabDownReport['removed'][number]) => void): Promise<LabDownReport>;
}

/** How an attack runs and reports its steps as they go. */
export interface LabAttackOptions {
  readonly pauseMs: number;
  readonly onStart: (container: AttackSubject, steps: number) => void;
  readonly onStepStart: (step: AttackStep, index: number, of: number) => void;
  readonly onStepResult: (result: AttackStepResult, index: number, of: number) => void;
}
