import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/** CIS 5.30 (v1.6.0; 5.29 in v1.2–v1.5): the default bridge docker0 is not used. */
export const defaultBridge: ContainerRule = {
  id: 'default-bridge',
  cisId: '5.30',
  title: 'Not on the default bridge',
  severity: 'low',
  rationale:
    'Every container on docker0 can reach every other one (unless the daemon runs with --icc=false); a user-defined network limits who talks to whom and adds DNS by name.',
  remediation: { flag: '--network <user-defined network>', compose: 'networks: [<user-defined network>]' },
  evaluate(s) {
    const mode = s.namespaces.network;
    if (mode === null) return notReported('HostConfig.NetworkMode');
    const evidence = [fromInspect('HostConfig.NetworkMode', mode.raw)];
    switch (mode.kind) {
      case 'bridge':
        return configOutcome('warn', 'Attached to the default bridge (docker0).', evidence);
      case 'host':
        return configOutcome('na', 'Uses the host network (see host-network).', evidence);
      case 'container':
        return configOutcome('na', `Uses container ${mode.target ?? '?'}'s network.`, evidence);
      case 'none':
        return configOutcome('pass', 'No network.', evidence);
      default:
        return configOutcome('pass', `Attached to network ${mode.target ?? mode.raw}.`, evidence);
    }
  },
};
