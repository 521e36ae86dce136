import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/** Bytes as a short human size: `64 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i] ?? 'B'}`;
}

/** CIS 5.11 (v1.6.0; 5.10 in v1.2–v1.5): memory usage is limited. */
export const memoryLimit: ContainerRule = {
  id: 'memory-limit',
  cisId: '5.11',
  title: 'Memory limited',
  severity: 'medium',
  rationale:
    'Without a memory limit one container can exhaust host memory and push the kernel OOM killer onto other containers or host services.',
  remediation: {
    flag: '--memory <size>, e.g. --memory 256m',
    compose: 'mem_limit: 256m  # or deploy.resources.limits.memory',
  },
  evaluate(s) {
    const mem = s.resources.memory;
    if (mem === null) return notReported('HostConfig.Memory');
    const evidence = [fromInspect('HostConfig.Memory', mem)];
    if (mem > 0) return configOutcome('pass', `Limited to ${formatBytes(mem)}.`, evidence);
    return configOutcome('warn', 'No memory limit.', evidence);
  },
};
