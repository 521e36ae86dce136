import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/** CIS 5.13 (v1.6.0; 5.12 in v1.2–v1.5): the root filesystem is mounted read-only. */
export const readonlyRootfs: ContainerRule = {
  id: 'readonly-rootfs',
  cisId: '5.13',
  title: 'Read-only root filesystem',
  severity: 'medium',
  rationale:
    'A writable root filesystem lets an intruder drop tools, modify binaries and persist; read-only with explicit writable volumes or tmpfs keeps the image immutable.',
  remediation: {
    flag: '--read-only (plus --tmpfs /tmp or volumes where writes are needed)',
    compose: 'read_only: true',
  },
  evaluate(s) {
    if (s.readonlyRootfs === null) return notReported('HostConfig.ReadonlyRootfs');
    const evidence = [fromInspect('HostConfig.ReadonlyRootfs', s.readonlyRootfs)];
    return s.readonlyRootfs
      ? configOutcome('pass', 'The root filesystem is read-only.', evidence)
      : configOutcome('warn', 'The root filesystem is writable.', evidence);
  },
};
