import { hasSecurityOption } from '../engine-facts.js';
import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, securityOptionNames } from './support.js';

/** CIS 2.9 (v1.6.0): user namespace support is enabled (userns-remap, or rootless mode which implies it). */
export const daemonUsernsRemap: DaemonRule = {
  id: 'daemon-userns-remap',
  cisId: '2.9',
  title: 'User namespace remapping',
  severity: 'medium',
  rationale:
    'With userns-remap, uid 0 in every container maps to an unprivileged host uid, so root in a container is not root on the host.',
  remediation: {
    flag: 'dockerd --userns-remap default (daemon.json "userns-remap": "default")',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    const evidence = [fromEngine('SecurityOptions', securityOptionNames(f))];
    if (hasSecurityOption(f.securityOptions, 'userns'))
      return outcome('pass', 'The engine remaps container users (userns-remap).', evidence);
    if (hasSecurityOption(f.securityOptions, 'rootless'))
      return outcome('pass', 'Rootless mode: containers run in the daemon user’s namespace.', evidence);
    return outcome('warn', 'No user namespace remapping: root in a container is root on the host.', evidence);
  },
};
