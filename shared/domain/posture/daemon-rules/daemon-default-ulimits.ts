import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.8 (v1.6.0): the default ulimit is configured appropriately. */
export const daemonDefaultUlimits: DaemonRule = {
  id: 'daemon-default-ulimits',
  cisId: '2.8',
  title: 'Default ulimits',
  severity: 'low',
  rationale:
    'Daemon-wide default ulimits bound open files and processes for every container that does not set its own.',
  remediation: {
    flag: 'dockerd --default-ulimit nofile=1024:4096 --default-ulimit nproc=1024',
    compose: 'no compose key: engine setting (daemon.json "default-ulimits")',
  },
  evaluate(f) {
    if (f.defaultUlimits === null) return unknownFact('The default ulimits', 'default-ulimits');
    const evidence = [
      fromEngine(
        'default-ulimits',
        f.defaultUlimits.map((u) => `${u.name}=${u.soft}:${u.hard}`),
      ),
    ];
    if (f.defaultUlimits.length === 0)
      return outcome('info', "No default ulimits: containers inherit the daemon's own limits.", evidence);
    return outcome(
      'pass',
      `Default ulimits set for ${f.defaultUlimits.map((u) => u.name).join(', ')}.`,
      evidence,
    );
  },
};
