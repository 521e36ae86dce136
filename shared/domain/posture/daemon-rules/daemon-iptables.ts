import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.4 (v1.6.0): Docker is allowed to make changes to iptables. */
export const daemonIptables: DaemonRule = {
  id: 'daemon-iptables',
  cisId: '2.4',
  title: 'Engine manages iptables',
  severity: 'low',
  rationale:
    'With --iptables=false the engine no longer maintains the rules that isolate its networks, and hand-written rules tend to drift open.',
  remediation: { flag: 'dockerd --iptables=true (the default)', compose: 'no compose key: engine setting' },
  evaluate(f) {
    if (f.iptables === null) return unknownFact('Whether the engine manages iptables', 'iptables');
    const evidence = [fromEngine('iptables', f.iptables)];
    return f.iptables
      ? outcome('pass', 'The engine manages iptables.', evidence)
      : outcome('warn', 'The engine does not manage iptables.', evidence);
  },
};
