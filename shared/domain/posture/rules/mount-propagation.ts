import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/** CIS 5.20 (v1.6.0; 5.19 in v1.2–v1.5): mount propagation is not `shared` / `rshared`. */
export const mountPropagation: ContainerRule = {
  id: 'mount-propagation',
  cisId: '5.20',
  title: 'No shared mount propagation',
  severity: 'medium',
  rationale:
    'With shared propagation, mounts made inside the container appear on the host (and the reverse), so a container with mount rights can change what host processes see.',
  remediation: {
    flag: '-v <src>:<dst>:rprivate (or drop :shared / :rshared)',
    compose: 'volumes: [{ type: bind, …, bind: { propagation: rprivate } }]',
  },
  evaluate(s) {
    if (s.mounts === null) return notReported('Mounts');
    const shared = s.mounts.filter((m) => m.propagation === 'shared' || m.propagation === 'rshared');
    const evidence = s.mounts.map((m) => fromInspect(`Mounts[${m.destination}].Propagation`, m.propagation));
    if (shared.length > 0)
      return configOutcome(
        'fail',
        `Shared propagation on ${listText(shared.map((m) => `${m.destination} (${m.propagation})`))}.`,
        evidence,
      );
    return configOutcome(
      'pass',
      s.mounts.length === 0 ? 'No mounts.' : 'No mount uses shared propagation.',
      evidence,
    );
  },
};
