import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect, kernelOutcome, notReported, procStatus } from './support.js';

/** CIS 5.5 (v1.6.0; 5.4 in v1.2–v1.5): privileged containers are not used. */
export const privileged: ContainerRule = {
  id: 'privileged',
  cisId: '5.5',
  title: 'Not privileged',
  severity: 'critical',
  rationale:
    '--privileged gives every capability and every host device, turns off seccomp, AppArmor and SELinux, and unmasks /proc and /sys: root in the container is effectively root on the host.',
  remediation: {
    flag: 'remove --privileged; add the specific --cap-add / --device the workload needs',
    compose: 'privileged: false',
  },
  evaluate(s) {
    if (s.privileged === null) return notReported('HostConfig.Privileged');
    const evidence = [fromInspect('HostConfig.Privileged', s.privileged)];
    if (!s.privileged) return configOutcome('pass', 'Not privileged.', evidence);
    const status = procStatus(s);
    evidence.push(...status.evidence);
    const k = status.value;
    if (k?.capEff != null) {
      evidence.push(ev('proc', `${status.path} CapEff`, `${k.capEff.hex} (${k.capEff.names.length})`));
      if (k.seccompMode !== null) evidence.push(ev('proc', `${status.path} Seccomp`, k.seccompMode));
      return kernelOutcome(
        'fail',
        `Privileged: the kernel shows ${k.capEff.names.length} effective capabilities and seccomp mode ${k.seccompMode ?? 'unknown'}.`,
        evidence,
      );
    }
    return configOutcome(
      'fail',
      'Privileged: all capabilities and host devices, no seccomp or LSM confinement.',
      evidence,
    );
  },
};
