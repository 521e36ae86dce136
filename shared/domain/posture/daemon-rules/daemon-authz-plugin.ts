import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.12 (v1.6.0): authorization for Docker client commands is enabled (an authorization plugin). */
export const daemonAuthzPlugin: DaemonRule = {
  id: 'daemon-authz-plugin',
  cisId: '2.12',
  title: 'Authorization plugin',
  severity: 'medium',
  rationale:
    'Without an authorization plugin every client that can reach the socket may do everything, including starting privileged containers.',
  remediation: {
    flag: 'dockerd --authorization-plugin <plugin> (daemon.json "authorization-plugins")',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.authorizationPlugins === null)
      return unknownFact('The authorization plugins', 'Plugins.Authorization');
    const evidence = [fromEngine('Plugins.Authorization', f.authorizationPlugins)];
    if (f.authorizationPlugins.length === 0)
      return outcome(
        'warn',
        'No authorization plugin: every client with socket access has full control.',
        evidence,
      );
    return outcome(
      'pass',
      `Authorization plugin${f.authorizationPlugins.length === 1 ? '' : 's'}: ${f.authorizationPlugins.join(', ')}.`,
      evidence,
    );
  },
};
