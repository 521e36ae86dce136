import { hasSecurityOption } from '../engine-facts.js';
import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, securityOptionNames } from './support.js';

/** CIS 2.1 (v1.6.0): the daemon runs as a non-root user (rootless mode), if possible. */
export const daemonRootless: DaemonRule = {
  id: 'daemon-rootless',
  cisId: '2.1',
  title: 'Rootless daemon',
  severity: 'medium',
  rationale:
    'In rootless mode the daemon and every container run inside a user namespace owned by an unprivileged user, so an escape lands as that user, not root.',
  remediation: {
    flag: 'dockerd-rootless-setuptool.sh install (run the daemon rootless)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    const evidence = [fromEngine('SecurityOptions', securityOptionNames(f))];
    if (hasSecurityOption(f.securityOptions, 'rootless'))
      return outcome('pass', 'The daemon runs rootless.', evidence);
    return outcome('warn', 'The daemon runs as root.', evidence);
  },
};
