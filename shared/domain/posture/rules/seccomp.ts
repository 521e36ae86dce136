import { hasSecurityOption } from '../engine-facts.js';
import type { Evidence } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect, kernelOutcome, notReported, procStatus } from './support.js';

const MODE_TEXT = { 0: 'no seccomp filter', 1: 'strict seccomp', 2: 'a seccomp filter' } as const;

/**
 * CIS 5.22 (v1.6.0; 5.21 in v1.2–v1.5): the default seccomp profile is not disabled.
 *
 * Beyond docker-bench, which only looks for `seccomp=unconfined`: a privileged container runs without any
 * seccomp filter even when nobody wrote `seccomp=unconfined`, and an engine without seccomp support
 * applies none either. On a local engine the kernel decides: `Seccomp:` in /proc/<pid>/status (0 = no
 * filter), and a configuration that disagrees is shown next to it.
 */
export const seccomp: ContainerRule = {
  id: 'seccomp',
  cisId: '5.22',
  title: 'Seccomp filter active',
  severity: 'high',
  rationale:
    "Docker's default seccomp profile blocks around 44 of the 300+ system calls (keyctl, add_key, kexec_load, open_by_handle_at, new namespaces without CAP_SYS_ADMIN, …), the paths many kernel exploits take to the host; without it every system call is open.",
  remediation: {
    flag: 'remove --security-opt seccomp=unconfined and --privileged (or --security-opt seccomp=<profile.json>)',
    compose: 'security_opt: ["seccomp=<profile.json>"]  # and no privileged: true',
  },
  evaluate(s, host) {
    if (s.securityOptions === null || s.privileged === null)
      return notReported('HostConfig.SecurityOpt', s.securityOptions?.raw);
    const setting = s.securityOptions.seccomp;
    const engineSupports =
      host.engineSecurityOptions.length === 0 || hasSecurityOption(host.engineSecurityOptions, 'seccomp');
    const evidence: Evidence[] = [
      fromInspect('HostConfig.SecurityOpt', s.securityOptions.raw),
      fromInspect('HostConfig.Privileged', s.privileged),
    ];
    if (!engineSupports)
      evidence.push(
        ev('engine', 'docker info SecurityOptions', host.engineSecurityOptions.map((o) => o.name).join(',')),
      );

    let configured: { filtered: boolean; text: string };
    if (s.privileged) configured = { filtered: false, text: 'privileged, so no seccomp filter' };
    else if (setting.kind === 'unconfined') configured = { filtered: false, text: 'seccomp=unconfined' };
    else if (!engineSupports) configured = { filtered: false, text: 'the engine does not support seccomp' };
    else if (setting.kind === 'custom')
      configured = { filtered: true, text: `a custom profile (${setting.detail})` };
    else configured = { filtered: true, text: "the engine's default profile" };

    const status = procStatus(s);
    evidence.push(...status.evidence);
    const mode = status.value?.seccompMode ?? null;
    if (mode !== null) {
      evidence.push(ev('proc', `${status.path} Seccomp`, mode));
      const filters = status.value?.seccompFilters ?? null;
      if (filters !== null) evidence.push(ev('proc', `${status.path} Seccomp_filters`, filters));
      const kernelFiltered = mode !== 0;
      const disagree =
        kernelFiltered !== configured.filtered
          ? ` The configuration says ${configured.text}; the kernel reports ${MODE_TEXT[mode]} and is trusted.`
          : '';
      if (!kernelFiltered)
        return kernelOutcome(
          'fail',
          `The kernel reports no seccomp filter on the process.${disagree}`,
          evidence,
        );
      const count = filters !== null ? ` (${filters} filter${filters === 1 ? '' : 's'})` : '';
      return kernelOutcome('pass', `The kernel reports ${MODE_TEXT[mode]}${count}.${disagree}`, evidence);
    }
    if (!configured.filtered)
      return configOutcome('fail', `No seccomp filter: ${configured.text}.`, evidence);
    return configOutcome('pass', `Filtered by ${configured.text}.`, evidence);
  },
};
