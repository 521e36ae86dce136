import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.2 (v1.6.0): traffic between containers on the default bridge is restricted (`--icc=false`). */
export const daemonIcc: DaemonRule = {
  id: 'daemon-icc',
  cisId: '2.2',
  title: 'Inter-container traffic restricted on docker0',
  severity: 'medium',
  rationale:
    'With icc enabled every container on the default bridge can reach every port of every other one; a compromised container can probe its neighbours.',
  remediation: {
    flag: 'dockerd --icc=false (daemon.json: "icc": false)',
    compose: 'no compose key: use user-defined networks per application',
  },
  evaluate(f) {
    if (f.icc === null) return unknownFact('Whether inter-container communication is enabled', 'icc');
    const evidence = [fromEngine('icc', f.icc)];
    return f.icc
      ? outcome('warn', 'Containers on the default bridge can talk to each other freely.', evidence)
      : outcome('pass', 'icc is disabled.', evidence);
  },
};
