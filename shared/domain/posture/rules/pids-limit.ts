import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/** CIS 5.29 (v1.6.0; 5.28 in v1.2–v1.5): the PIDs cgroup limit is used. */
export const pidsLimit: ContainerRule = {
  id: 'pids-limit',
  cisId: '5.29',
  title: 'Process count limited',
  severity: 'medium',
  rationale:
    'Without --pids-limit a fork bomb in one container exhausts the host-wide PID space and stops every other process from forking.',
  remediation: { flag: '--pids-limit <n>, e.g. --pids-limit 200', compose: 'pids_limit: 200' },
  evaluate(s) {
    const limit = s.resources.pidsLimit;
    if (limit === null) return notReported('HostConfig.PidsLimit');
    const evidence = [fromInspect('HostConfig.PidsLimit', limit)];
    if (limit > 0) return configOutcome('pass', `Limited to ${limit} processes.`, evidence);
    return configOutcome('warn', 'No PIDs limit.', evidence);
  },
};
