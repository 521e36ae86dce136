import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect } from './support.js';

/** CIS 5.25 (v1.6.0; 5.24 in v1.2–v1.5): cgroup usage is confirmed — a custom `--cgroup-parent` is flagged for review. */
export const cgroupParent: ContainerRule = {
  id: 'cgroup-parent',
  cisId: '5.25',
  title: 'Default cgroup parent',
  severity: 'low',
  rationale:
    'A custom cgroup parent moves the container out of the engine-managed hierarchy, possibly under limits (or no limits) that nobody reviewed for it.',
  remediation: { flag: 'remove --cgroup-parent unless it is intended', compose: 'remove cgroup_parent' },
  evaluate(s) {
    if (s.cgroupParent === null)
      return configOutcome('info', 'The engine did not report HostConfig.CgroupParent.', [
        fromInspect('HostConfig.CgroupParent', undefined),
      ]);
    const evidence = [fromInspect('HostConfig.CgroupParent', s.cgroupParent)];
    if (s.cgroupParent === '')
      return configOutcome('pass', "Runs under the engine's default cgroup parent.", evidence);
    return configOutcome('warn', `Custom cgroup parent ${s.cgroupParent}: confirm it is intended.`, evidence);
  },
};
