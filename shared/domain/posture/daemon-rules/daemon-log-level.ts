import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.3 (v1.6.0): the log level is `info`. The engine API reveals debug mode, the case that matters. */
export const daemonLogLevel: DaemonRule = {
  id: 'daemon-log-level',
  cisId: '2.3',
  title: 'Daemon not in debug mode',
  severity: 'low',
  rationale:
    'Debug logging records request bodies and internal details (sometimes secrets) and floods the logs; info is enough for audit.',
  remediation: {
    flag: 'dockerd --log-level info, without --debug (daemon.json: "debug": false)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.debug === null) return unknownFact('The daemon log level', 'Debug');
    const evidence = [fromEngine('Debug', f.debug)];
    return f.debug
      ? outcome('warn', 'The daemon runs in debug mode.', evidence)
      : outcome('pass', 'The daemon is not in debug mode.', evidence);
  },
};
