import { hasSecurityOption } from '../engine-facts.js';
import { isInitialUserNamespace } from '../proc-status.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect, kernelOutcome, notReported, readKernel } from './support.js';

/**
 * CIS 5.31 (v1.6.0; 5.30 in v1.2–v1.5): the host's user namespace is not shared (`--userns host`).
 *
 * CIS only looks at UsernsMode. Where the engine remaps users (userns-remap or rootless) the kernel's
 * /proc/<pid>/uid_map is checked too: the identity map `0 0 4294967295` means the process really is in the
 * host's user namespace, whatever the configuration says. Where the engine does not remap at all, every
 * container shares the host's user namespace; that is the daemon's 2.9 finding and `runs-as-root`'s concern.
 */
export const hostUserns: ContainerRule = {
  id: 'host-userns',
  cisId: '5.31',
  title: 'Not opted out of user namespace remapping',
  severity: 'high',
  rationale:
    '--userns host turns off the engine-wide user namespace remapping for this container, so uid 0 inside is uid 0 on the host again.',
  remediation: { flag: 'remove --userns host', compose: 'remove userns_mode: host' },
  evaluate(s, host) {
    const mode = s.namespaces.user;
    if (mode === null) return notReported('HostConfig.UsernsMode');
    const remapping =
      hasSecurityOption(host.engineSecurityOptions, 'userns') ||
      hasSecurityOption(host.engineSecurityOptions, 'rootless');
    const evidence = [
      fromInspect('HostConfig.UsernsMode', mode.raw),
      ev(
        'engine',
        'docker info SecurityOptions',
        host.engineSecurityOptions.map((o) => o.name).join(',') || '(none reported)',
      ),
    ];
    if (mode.kind === 'host')
      return configOutcome('fail', "Runs in the host's user namespace (--userns host).", evidence);
    if (!remapping)
      return configOutcome(
        'pass',
        'Not opted out (the engine does not remap users; see the daemon findings).',
        evidence,
      );
    const map = readKernel(s.kernel?.uidMap, '');
    evidence.push(...map.evidence);
    if (map.value !== null) {
      evidence.push(
        ev(
          'proc',
          s.kernel?.uidMap.path ?? 'uid_map',
          map.value.map((r) => `${r.inside} ${r.outside} ${r.count}`).join('; '),
        ),
      );
      if (isInitialUserNamespace(map.value)) {
        return kernelOutcome(
          'fail',
          "The engine remaps users, but the kernel shows this process in the host's user namespace.",
          evidence,
        );
      }
      return kernelOutcome('pass', 'The kernel shows the process in its own user namespace.', evidence);
    }
    return configOutcome('pass', 'Remapped by the engine.', evidence);
  },
};
