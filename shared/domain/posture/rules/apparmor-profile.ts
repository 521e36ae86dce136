import type { ContainerRule } from '../rule.js';
import {
  configOutcome,
  fromInspect,
  kernelOutcome,
  lsmAvailability,
  notReported,
  readKernel,
} from './support.js';
import type { Evidence } from '../model.js';

/**
 * CIS 5.2 (v1.6.0; 5.1 in v1.2–v1.5): the container runs under an AppArmor profile.
 *
 * Unlike docker-bench, `apparmor=unconfined` (and `--privileged`, which implies it) never passes, and on a host
 * without AppArmor the check is "not applicable" rather than a warning. On a local engine the label in
 * /proc/<pid>/attr/current decides.
 */
export const apparmorProfile: ContainerRule = {
  id: 'apparmor-profile',
  cisId: '5.2',
  title: 'AppArmor profile applied',
  severity: 'medium',
  rationale:
    'AppArmor confines what a container process may touch (mounts, /proc and /sys writes, raw sockets) even when it runs as root; an unconfined container loses that second line of defence.',
  remediation: {
    flag: 'drop --security-opt apparmor=unconfined (the engine applies docker-default), or --security-opt apparmor=<profile>',
    compose: 'security_opt: ["apparmor=docker-default"]',
  },
  evaluate(s, host) {
    if (s.securityOptions === null || s.privileged === null)
      return notReported('HostConfig.SecurityOpt', s.securityOptions?.raw);
    const avail = lsmAvailability(host, 'apparmor');
    const configuredUnconfined =
      s.securityOptions.apparmor.kind === 'unconfined' || s.appArmorProfile === 'unconfined' || s.privileged;
    const evidence: Evidence[] = [
      fromInspect('HostConfig.SecurityOpt', s.securityOptions.raw),
      fromInspect('AppArmorProfile', s.appArmorProfile ?? undefined),
      ...(s.privileged ? [fromInspect('HostConfig.Privileged', true)] : []),
      ...avail.evidence,
    ];
    if (avail.state === 'absent') {
      const note = configuredUnconfined
        ? ' The container is configured unconfined; that is not a passing setting and would leave it unconfined on a host with AppArmor.'
        : '';
      return configOutcome('na', `AppArmor is not available on this host.${note}`, evidence);
    }
    if (avail.state === 'unknown')
      return configOutcome('info', 'Whether this host has AppArmor could not be determined.', evidence);

    const label = readKernel(s.kernel?.attrCurrent, '');
    evidence.push(...label.evidence);
    if (label.value !== null && label.value.lsm === 'apparmor') {
      evidence.push({
        source: 'proc',
        field: s.kernel?.attrCurrent.path ?? 'attr/current',
        value: label.value.raw,
      });
      const disagree =
        label.value.unconfined !== configuredUnconfined
          ? ' (the configuration says otherwise; the kernel is trusted)'
          : '';
      if (label.value.unconfined)
        return kernelOutcome('fail', `The kernel reports the process as unconfined${disagree}.`, evidence);
      if (label.value.mode === 'complain') {
        return kernelOutcome(
          'warn',
          `Profile ${label.value.profile} is in complain mode: violations are logged, not blocked${disagree}.`,
          evidence,
        );
      }
      return kernelOutcome(
        'pass',
        `Confined by AppArmor profile ${label.value.profile} (${label.value.mode ?? 'enforce'})${disagree}.`,
        evidence,
      );
    }
    if (configuredUnconfined) {
      return configOutcome(
        'fail',
        s.privileged
          ? 'Privileged containers run without AppArmor confinement.'
          : 'Configured with apparmor=unconfined.',
        evidence,
      );
    }
    if (!avail.engineUses)
      return configOutcome(
        'warn',
        'The host has AppArmor but the engine does not apply it to containers.',
        evidence,
      );
    const profile = s.appArmorProfile ?? '';
    if (profile === '')
      return configOutcome('warn', 'No AppArmor profile is recorded for this container.', evidence);
    return configOutcome('pass', `Configured with AppArmor profile ${profile}.`, evidence);
  },
};
