import type { Evidence } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect, kernelOutcome, notReported, procStatus } from './support.js';

/**
 * CIS 5.26 (v1.6.0; 5.25 in v1.2–v1.5): the container cannot acquire new privileges. On a local engine the
 * kernel's `NoNewPrivs:` decides, which also catches a daemon-wide `no-new-privileges` default that the
 * container's SecurityOpt does not show.
 */
export const noNewPrivileges: ContainerRule = {
  id: 'no-new-privileges',
  cisId: '5.26',
  title: 'No new privileges',
  severity: 'medium',
  rationale:
    'no_new_privs stops setuid/setgid binaries and file capabilities from raising privileges inside the container, closing the usual path from a non-root foothold to root.',
  remediation: {
    flag: '--security-opt no-new-privileges',
    compose: 'security_opt: ["no-new-privileges:true"]',
  },
  evaluate(s) {
    if (s.securityOptions === null) return notReported('HostConfig.SecurityOpt');
    const configured = s.securityOptions.noNewPrivileges;
    const evidence: Evidence[] = [fromInspect('HostConfig.SecurityOpt', s.securityOptions.raw)];
    const status = procStatus(s);
    evidence.push(...status.evidence);
    const nnp = status.value?.noNewPrivs ?? null;
    if (nnp !== null) {
      evidence.push(ev('proc', `${status.path} NoNewPrivs`, nnp ? '1' : '0'));
      const disagree =
        nnp !== configured
          ? ` The configuration says ${configured ? 'set' : 'not set'}; the kernel is trusted.`
          : '';
      return nnp
        ? kernelOutcome('pass', `The kernel reports NoNewPrivs set.${disagree}`, evidence)
        : kernelOutcome(
            'warn',
            `The kernel reports NoNewPrivs not set: setuid binaries can raise privileges.${disagree}`,
            evidence,
          );
    }
    return configured
      ? configOutcome('pass', 'no-new-privileges is set.', evidence)
      : configOutcome('warn', 'no-new-privileges is not set.', evidence);
  },
};
