import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, kernelOutcome, notReported, pidNamespaceEvidence } from './support.js';

/**
 * CIS 5.16 (v1.6.0; 5.15 in v1.2–v1.5): the host's PID namespace is not shared.
 *
 * On a local engine the kernel decides: the init's /proc/<pid>/ns/pid is compared with the reader's own
 * (/proc/self/ns/pid), so a container that ends up in the host's PID namespace by any route is caught.
 */
export const hostPid: ContainerRule = {
  id: 'host-pid',
  cisId: '5.16',
  title: 'Own PID namespace',
  severity: 'high',
  rationale:
    'With --pid host the container sees every host process and, as root with the default capabilities, can signal them; with SYS_PTRACE it can read their memory and environment (secrets).',
  remediation: { flag: 'remove --pid host', compose: 'remove pid: host' },
  evaluate(s, host) {
    const mode = s.namespaces.pid;
    if (mode === null) return notReported('HostConfig.PidMode');
    const configuredHost = mode.kind === 'host';
    const evidence = [fromInspect('HostConfig.PidMode', mode.raw)];
    const kernel = pidNamespaceEvidence(s, host);
    evidence.push(...kernel.evidence);
    if (kernel.shared !== null) {
      const disagree =
        kernel.shared !== configuredHost ? ' (the configuration says otherwise; the kernel is trusted)' : '';
      if (kernel.shared)
        return kernelOutcome('fail', `The init process is in the host's PID namespace${disagree}.`, evidence);
      return kernelOutcome('pass', `The init process has its own PID namespace${disagree}.`, evidence);
    }
    if (configuredHost) return configOutcome('fail', "Shares the host's PID namespace.", evidence);
    if (mode.kind === 'container') {
      return configOutcome(
        'pass',
        `Joins container ${mode.target ?? '?'}'s PID namespace; that container's own setting decides whether it is the host's.`,
        evidence,
      );
    }
    return configOutcome('pass', 'Has its own PID namespace.', evidence);
  },
};
