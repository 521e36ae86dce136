import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/**
 * CIS 5.9 (v1.6.0; 5.8 in v1.2–v1.5): only needed ports are open. Whether a port is needed is a judgement,
 * so a published port is `info` for review; `-P` (publish every exposed port) warns.
 */
export const publishedPorts: ContainerRule = {
  id: 'published-ports',
  cisId: '5.9',
  title: 'Only needed ports published',
  severity: 'low',
  rationale:
    'Every published port is reachable from outside the host; publishing all exposed ports (-P) opens ports nobody chose.',
  remediation: {
    flag: 'publish each needed port with -p instead of -P',
    compose: 'ports: [<only the needed ports>]',
  },
  evaluate(s) {
    if (s.portBindings === null || s.publishAllPorts === null)
      return notReported('HostConfig.PublishAllPorts / ports');
    const evidence = [
      fromInspect('HostConfig.PublishAllPorts', s.publishAllPorts),
      fromInspect(
        'ports',
        s.portBindings.map((b) => `${b.hostIp || '*'}:${b.hostPort}→${b.containerPort}`),
      ),
    ];
    if (s.publishAllPorts) return configOutcome('warn', 'Every exposed port is published (-P).', evidence);
    if (s.portBindings.length === 0) return configOutcome('pass', 'No ports published.', evidence);
    const ports = [...new Set(s.portBindings.map((b) => `${b.hostPort}→${b.containerPort}`))];
    return configOutcome('info', `Published: ${listText(ports)}; check that each is needed.`, evidence);
  },
};
