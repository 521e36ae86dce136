import type { Evidence } from '../model.js';
import type { ContainerRule } from '../rule.js';
import {
  configOutcome,
  fromInspect,
  kernelOutcome,
  lsmAvailability,
  notReported,
  readKernel,
} from './support.js';

/**
 * CIS 5.3 (v1.6.0; 5.2 in v1.2–v1.5): SELinux security options are set.
 *
 * docker-bench passes this check for any non-empty SecurityOpt — even `label=disable`. Here `label=disable`
 * (and `--privileged`, which implies it) never passes; without SELinux on the host the check is "not
 * applicable"; on a local engine the SELinux type in /proc/<pid>/attr/current decides (`spc_t` and
 * `unconfined_t` are unconfined).
 */
export const selinuxOptions: ContainerRule = {
  id: 'selinux-options',
  cisId: '5.3',
  title: 'SELinux confinement',
  severity: 'medium',
  rationale:
    'With SELinux, every container process runs as container_t with its own MCS category, so it cannot touch host files or other containers even as root; label=disable removes that.',
  remediation: {
    flag: 'drop --security-opt label=disable (run dockerd with --selinux-enabled), or --security-opt label=type:<type>',
    compose: 'security_opt: ["label=type:container_t"]',
  },
  evaluate(s, host) {
    if (s.securityOptions === null || s.privileged === null)
      return notReported('HostConfig.SecurityOpt', s.securityOptions?.raw);
    const avail = lsmAvailability(host, 'selinux');
    const disabled = s.securityOptions.label.disabled || s.privileged;
    const evidence: Evidence[] = [
      fromInspect('HostConfig.SecurityOpt', s.securityOptions.raw),
      fromInspect('ProcessLabel', s.processLabel ?? undefined),
      ...(s.privileged ? [fromInspect('HostConfig.Privileged', true)] : []),
      ...avail.evidence,
    ];
    if (avail.state === 'absent') {
      const note = disabled
        ? ` ${s.securityOptions.label.disabled ? 'label=disable' : '--privileged'} is set; it is not a passing setting and would disable SELinux confinement on a host with SELinux.`
        : '';
      return configOutcome('na', `SELinux is not available on this host.${note}`, evidence);
    }
    if (avail.state === 'unknown')
      return configOutcome('info', 'Whether this host has SELinux could not be determined.', evidence);

    const label = readKernel(s.kernel?.attrCurrent, '');
    evidence.push(...label.evidence);
    if (label.value !== null && label.value.lsm === 'selinux') {
      evidence.push({
        source: 'proc',
        field: s.kernel?.attrCurrent.path ?? 'attr/current',
        value: label.value.raw,
      });
      const disagree =
        label.value.unconfined !== disabled
          ? ' (the configuration says otherwise; the kernel is trusted)'
          : '';
      if (label.value.unconfined)
        return kernelOutcome(
          'fail',
          `The process runs as ${label.value.profile}, an unconfined SELinux type${disagree}.`,
          evidence,
        );
      return kernelOutcome(
        'pass',
        `The process runs as SELinux type ${label.value.profile}${disagree}.`,
        evidence,
      );
    }
    if (disabled) {
      return configOutcome(
        'fail',
        s.securityOptions.label.disabled
          ? 'label=disable turns SELinux confinement off.'
          : 'Privileged containers run without SELinux confinement.',
        evidence,
      );
    }
    if (!avail.engineUses) {
      return configOutcome(
        'warn',
        'The host has SELinux but the engine does not label containers (dockerd runs without --selinux-enabled).',
        evidence,
      );
    }
    if ((s.processLabel ?? '') === '')
      return configOutcome('warn', 'No SELinux process label is recorded for this container.', evidence);
    return configOutcome('pass', `Labelled ${s.processLabel ?? ''}.`, evidence);
  },
};
