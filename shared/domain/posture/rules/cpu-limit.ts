import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/**
 * CIS 5.12 (v1.6.0; 5.11 in v1.2–v1.5): CPU priority is set. Passes with any CPU control: `--cpus`
 * (NanoCpus), a CFS quota, a cpuset, or CPU shares other than the default (0 / 1024).
 */
export const cpuLimit: ContainerRule = {
  id: 'cpu-limit',
  cisId: '5.12',
  title: 'CPU limited',
  severity: 'low',
  rationale:
    'Without a CPU limit or weight a busy or compromised container can starve the other containers and the host of CPU time.',
  remediation: {
    flag: '--cpus <n>, e.g. --cpus 0.5 (or --cpu-shares 512)',
    compose: 'cpus: 0.5  # or deploy.resources.limits.cpus',
  },
  evaluate(s) {
    const r = s.resources;
    if (r.cpuShares === null) return notReported('HostConfig.CpuShares');
    const evidence = [
      fromInspect('HostConfig.NanoCpus', r.nanoCpus ?? undefined),
      fromInspect('HostConfig.CpuShares', r.cpuShares),
      fromInspect('HostConfig.CpuQuota', r.cpuQuota ?? undefined),
      fromInspect('HostConfig.CpusetCpus', r.cpusetCpus ?? undefined),
    ];
    if ((r.nanoCpus ?? 0) > 0)
      return configOutcome('pass', `Limited to ${(r.nanoCpus ?? 0) / 1e9} CPUs.`, evidence);
    if ((r.cpuQuota ?? 0) > 0) {
      const period = r.cpuPeriod !== null && r.cpuPeriod > 0 ? r.cpuPeriod : 100_000;
      return configOutcome('pass', `CFS quota of ${(r.cpuQuota ?? 0) / period} CPUs.`, evidence);
    }
    if ((r.cpusetCpus ?? '') !== '')
      return configOutcome('pass', `Pinned to CPUs ${r.cpusetCpus ?? ''}.`, evidence);
    if (r.cpuShares !== 0 && r.cpuShares !== 1024)
      return configOutcome('pass', `CPU shares set to ${r.cpuShares}.`, evidence);
    return configOutcome('warn', 'No CPU limit or weight.', evidence);
  },
};
