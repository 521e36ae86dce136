import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.18 (v1.6.0): experimental features are not enabled in production. */
export const daemonExperimental: DaemonRule = {
  id: 'daemon-experimental',
  cisId: '2.18',
  title: 'No experimental features',
  severity: 'low',
  rationale:
    'Experimental features are not covered by the stability and security review of the rest of the engine.',
  remediation: {
    flag: 'dockerd without --experimental (daemon.json "experimental": false)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.experimentalBuild === null)
      return unknownFact('Whether experimental features are on', 'ExperimentalBuild');
    const evidence = [fromEngine('ExperimentalBuild', f.experimentalBuild)];
    return f.experimentalBuild
      ? outcome('warn', 'Experimental features are enabled.', evidence)
      : outcome('pass', 'Experimental features are off.', evidence);
  },
};
