import { hostNamespaceRule } from './host-namespace.js';

/** CIS 5.21 (v1.6.0; 5.20 in v1.2–v1.5): the host's UTS namespace is not shared (`--uts host`). */
export const hostUts = hostNamespaceRule({
  id: 'host-uts',
  cisId: '5.21',
  title: 'Own UTS namespace',
  severity: 'medium',
  rationale:
    "With --uts host a process that may call sethostname (CAP_SYS_ADMIN) changes the host's hostname; the container also learns the host's name.",
  remediation: { flag: 'remove --uts host', compose: 'remove uts: host' },
  namespace: 'uts',
  field: 'HostConfig.UTSMode',
  noun: 'UTS namespace (hostname)',
});
