import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/** Whether a published port's host address means every interface. */
export function isWildcardHostIp(ip: string): boolean {
  return ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]';
}

/** CIS 5.14 (v1.6.0; 5.13 in v1.2–v1.5): incoming traffic is bound to a specific host interface. */
export const hostInterfaceBinding: ContainerRule = {
  id: 'host-interface-binding',
  cisId: '5.14',
  title: 'Ports bound to a specific interface',
  severity: 'medium',
  rationale:
    'A port published without a host address listens on every interface, including public ones, and Docker inserts its iptables rules ahead of host firewalls such as ufw.',
  remediation: {
    flag: '-p 127.0.0.1:<host port>:<container port> (or another specific address)',
    compose: 'ports: ["127.0.0.1:8080:80"]',
  },
  evaluate(s) {
    if (s.portBindings === null) return notReported('NetworkSettings.Ports / HostConfig.PortBindings');
    const evidence = [
      fromInspect(
        'ports',
        s.portBindings.map((b) => `${b.hostIp || '*'}:${b.hostPort}→${b.containerPort}`),
      ),
    ];
    if (s.portBindings.length === 0) return configOutcome('pass', 'No ports published.', evidence);
    const wild = s.portBindings.filter((b) => isWildcardHostIp(b.hostIp));
    if (wild.length > 0) {
      const ports = [...new Set(wild.map((b) => `${b.hostPort}→${b.containerPort}`))];
      return configOutcome('warn', `Listening on every host interface: ${listText(ports)}.`, evidence);
    }
    return configOutcome('pass', 'Every published port is bound to a specific host address.', evidence);
  },
};
