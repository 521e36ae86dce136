import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.15 (v1.6.0): live restore is enabled (not applicable in swarm mode, which does not support it). */
export const daemonLiveRestore: DaemonRule = {
  id: 'daemon-live-restore',
  cisId: '2.15',
  title: 'Live restore',
  severity: 'low',
  rationale:
    'With live restore, containers keep running while the daemon restarts, so security updates to the engine do not have to wait for a maintenance window.',
  remediation: {
    flag: 'dockerd --live-restore (daemon.json "live-restore": true)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.liveRestoreEnabled === null)
      return unknownFact('Whether live restore is enabled', 'LiveRestoreEnabled');
    const evidence = [fromEngine('LiveRestoreEnabled', f.liveRestoreEnabled)];
    if (f.swarmState === 'active')
      return outcome('na', 'Swarm mode is active; live restore does not apply.', [
        ...evidence,
        fromEngine('Swarm.LocalNodeState', f.swarmState),
      ]);
    return f.liveRestoreEnabled
      ? outcome('pass', 'Live restore is enabled.', evidence)
      : outcome('warn', 'Live restore is disabled.', evidence);
  },
};
