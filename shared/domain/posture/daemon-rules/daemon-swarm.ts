import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 5.1 (v1.6.0; 7.1 in earlier versions): swarm mode is not enabled unless needed. */
export const daemonSwarm: DaemonRule = {
  id: 'daemon-swarm',
  cisId: '5.1',
  title: 'Swarm mode off unless needed',
  severity: 'low',
  rationale:
    'Swarm mode opens management ports (2377, 7946, 4789) and keeps cluster secrets on the node; an engine that does not need it should not listen for it.',
  remediation: {
    flag: 'docker swarm leave (on an engine that does not need swarm)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.swarmState === null) return unknownFact('The swarm state', 'Swarm.LocalNodeState');
    const evidence = [fromEngine('Swarm.LocalNodeState', f.swarmState)];
    if (f.swarmState === 'inactive') return outcome('pass', 'Swarm mode is not enabled.', evidence);
    return outcome('warn', `Swarm mode is ${f.swarmState}: confirm this engine needs it.`, evidence);
  },
};
