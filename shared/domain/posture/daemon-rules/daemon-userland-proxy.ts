import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.16 (v1.6.0): the userland proxy is disabled (hairpin NAT instead). */
export const daemonUserlandProxy: DaemonRule = {
  id: 'daemon-userland-proxy',
  cisId: '2.16',
  title: 'Userland proxy disabled',
  severity: 'low',
  rationale:
    'The userland proxy is one more root process per published port listening on the host; with hairpin NAT it is not needed.',
  remediation: {
    flag: 'dockerd --userland-proxy=false (daemon.json "userland-proxy": false)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.userlandProxy === null)
      return unknownFact('Whether the userland proxy is enabled', 'userland-proxy');
    const evidence = [fromEngine('userland-proxy', f.userlandProxy)];
    return f.userlandProxy
      ? outcome('warn', 'The userland proxy is enabled.', evidence)
      : outcome('pass', 'The userland proxy is disabled.', evidence);
  },
};
