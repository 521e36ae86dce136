import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/**
 * `--security-opt systempaths=unconfined` (no CIS id): /proc and /sys paths the engine normally masks
 * (/proc/kcore, /proc/keys, /proc/timer_list, /sys/firmware, …) or mounts read-only (/proc/sys,
 * /proc/sysrq-trigger, …) are exposed. The engine does not keep the option in SecurityOpt, so an empty
 * HostConfig.MaskedPaths is the tell; --privileged has the same effect.
 */
export const systempathsUnconfined: ContainerRule = {
  id: 'systempaths-unconfined',
  cisId: null,
  title: 'System paths masked',
  severity: 'high',
  rationale:
    'Masked and read-only /proc and /sys paths keep the container from reading kernel memory and keys or writing kernel tunables (/proc/sys, /proc/sysrq-trigger); unconfined, a root process can.',
  remediation: {
    flag: 'remove --security-opt systempaths=unconfined',
    compose: 'remove "systempaths=unconfined" from security_opt',
  },
  evaluate(s) {
    if (s.securityOptions === null || s.privileged === null) return notReported('HostConfig.SecurityOpt');
    const evidence = [
      fromInspect('HostConfig.SecurityOpt', s.securityOptions.raw),
      fromInspect('HostConfig.MaskedPaths', s.maskedPaths ?? undefined),
      fromInspect('HostConfig.ReadonlyPaths', s.readonlyPaths ?? undefined),
    ];
    const emptyMasks = s.maskedPaths !== null && s.maskedPaths.length === 0;
    if (s.securityOptions.systempathsUnconfined)
      return configOutcome('fail', 'systempaths=unconfined: /proc and /sys are not masked.', evidence);
    if (s.privileged) return configOutcome('fail', 'Privileged: /proc and /sys are not masked.', evidence);
    if (emptyMasks)
      return configOutcome('fail', 'No /proc or /sys path is masked (systempaths=unconfined).', evidence);
    if (s.maskedPaths === null)
      return configOutcome(
        'info',
        'The engine does not report MaskedPaths; its defaults presumably apply.',
        evidence,
      );
    return configOutcome(
      'pass',
      `${s.maskedPaths.length} paths masked, ${s.readonlyPaths?.length ?? 0} read-only.`,
      evidence,
    );
  },
};
