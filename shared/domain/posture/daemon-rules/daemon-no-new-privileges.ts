import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.14 (v1.6.0): containers are restricted from acquiring new privileges by default (`--no-new-privileges`). */
export const daemonNoNewPrivileges: DaemonRule = {
  id: 'daemon-no-new-privileges',
  cisId: '2.14',
  title: 'no-new-privileges by default',
  severity: 'medium',
  rationale:
    'A daemon-wide no-new-privileges default stops setuid binaries from raising privileges in every container, including ones nobody hardened.',
  remediation: {
    flag: 'dockerd --no-new-privileges (daemon.json "no-new-privileges": true)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.noNewPrivilegesDefault === null)
      return unknownFact('The daemon-wide no-new-privileges default', 'no-new-privileges');
    const evidence = [fromEngine('no-new-privileges', f.noNewPrivilegesDefault)];
    return f.noNewPrivilegesDefault
      ? outcome('pass', 'Containers get no-new-privileges by default.', evidence)
      : outcome('warn', 'no-new-privileges is not a daemon-wide default.', evidence);
  },
};
