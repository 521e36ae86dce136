import { normalizeCapability } from '../capabilities.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect, kernelOutcome, notReported, procStatus } from './support.js';

/**
 * `--cap-add ALL` (no CIS id): every capability, without the other effects of `--privileged`, so it is easy
 * to miss in review. Beyond docker-bench, which compares CapAdd against a list of names and lets `ALL` through
 * as just another word.
 */
export const capAddAll: ContainerRule = {
  id: 'cap-add-all',
  cisId: null,
  title: 'No --cap-add ALL',
  severity: 'critical',
  rationale:
    'CapAdd ALL grants every capability (SYS_ADMIN, SYS_MODULE, SYS_RAWIO, …): a process that is root in the container can load kernel modules, mount the host disk or trace host processes it can see.',
  remediation: {
    flag: 'replace --cap-add ALL with --cap-add <the capabilities needed>',
    compose: 'cap_add: [<the capabilities needed>]  # not ALL',
  },
  evaluate(s) {
    if (s.capAdd === null) return notReported('HostConfig.CapAdd');
    const evidence = [
      fromInspect('HostConfig.CapAdd', s.capAdd),
      ...(s.capDrop !== null ? [fromInspect('HostConfig.CapDrop', s.capDrop)] : []),
    ];
    if (!s.capAdd.map(normalizeCapability).includes('ALL'))
      return configOutcome('pass', 'CapAdd does not contain ALL.', evidence);
    const status = procStatus(s);
    evidence.push(...status.evidence);
    const eff = status.value?.capEff ?? null;
    if (eff !== null) {
      evidence.push(ev('proc', `${status.path} CapEff`, `${eff.hex} (${eff.names.length})`));
      return kernelOutcome(
        'fail',
        `CapAdd ALL: the kernel shows ${eff.names.length} effective capabilities.`,
        evidence,
      );
    }
    return configOutcome('fail', 'CapAdd ALL grants every capability the engine knows.', evidence);
  },
};
