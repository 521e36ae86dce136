import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/** CIS 5.8 (v1.6.0; 5.7 in v1.2–v1.5): privileged host ports (below 1024) are not mapped. */
export const privilegedPorts: ContainerRule = {
  id: 'privileged-ports',
  cisId: '5.8',
  title: 'No privileged host ports',
  severity: 'low',
  rationale:
    'Ports below 1024 are reserved for system services; publishing a container on one lets it take a port host users and tools trust to be owned by root.',
  remediation: { flag: '-p <port ≥ 1024>:<container port>', compose: 'ports: ["8080:80"]' },
  evaluate(s) {
    if (s.portBindings === null) return notReported('NetworkSettings.Ports / HostConfig.PortBindings');
    const low = s.portBindings.filter(
      (b) => /^\d+$/.test(b.hostPort) && Number(b.hostPort) > 0 && Number(b.hostPort) < 1024,
    );
    const evidence = [
      fromInspect(
        'ports',
        s.portBindings.map((b) => `${b.hostIp || '*'}:${b.hostPort}→${b.containerPort}`),
      ),
    ];
    if (low.length > 0)
      return configOutcome(
        'warn',
        `Published on privileged host port${low.length === 1 ? '' : 's'} ${listText([...new Set(low.map((b) => b.hostPort))])}.`,
        evidence,
      );
    return configOutcome(
      'pass',
      s.portBindings.length === 0 ? 'No ports published.' : 'No privileged host ports.',
      evidence,
    );
  },
};
