import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, securityOptionNames } from './support.js';

/**
 * CIS 2.17 (v1.6.0): a daemon-wide seccomp profile is applied — the built-in default or a custom one.
 * No seccomp support, or `profile=unconfined`, fails: no container gets a filter by default.
 */
export const daemonSeccompProfile: DaemonRule = {
  id: 'daemon-seccomp-profile',
  cisId: '2.17',
  title: 'Daemon-wide seccomp profile',
  severity: 'medium',
  rationale:
    'The daemon-wide profile is what every container gets unless it opts out; without it no container is filtered.',
  remediation: {
    flag: 'dockerd --seccomp-profile <profile.json> (or leave the built-in default)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    const evidence = [fromEngine('SecurityOptions', securityOptionNames(f))];
    const opt = f.securityOptions.find((o) => o.name === 'seccomp');
    if (opt === undefined)
      return outcome(
        'fail',
        'The engine does not report seccomp support: containers run without a seccomp filter.',
        evidence,
      );
    const profile = opt.options.profile ?? 'default';
    if (profile === 'unconfined')
      return outcome('fail', 'The daemon-wide seccomp profile is unconfined.', evidence);
    if (profile === 'default' || profile === 'builtin')
      return outcome('pass', "The engine's built-in seccomp profile is the default.", evidence);
    return outcome('pass', `Custom daemon-wide seccomp profile ${profile}.`, evidence);
  },
};
