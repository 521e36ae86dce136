import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect } from './support.js';

/**
 * The container has its own cgroup namespace (no CIS id). With `--cgroupns host` — the engine's default on
 * cgroup v1 — /proc/self/cgroup and /sys/fs/cgroup show host cgroup paths, which helps an attacker map the
 * host and is a precondition of the cgroup v1 release_agent escape (CVE-2022-0492).
 */
export const cgroupnsHost: ContainerRule = {
  id: 'cgroupns-host',
  cisId: null,
  title: 'Own cgroup namespace',
  severity: 'low',
  rationale:
    "A private cgroup namespace hides the host's cgroup tree from the container; sharing it exposes host paths and widens cgroup v1 escapes such as the release_agent technique.",
  remediation: { flag: '--cgroupns private', compose: 'cgroup: private' },
  evaluate(s) {
    const mode = s.namespaces.cgroup;
    if (mode === null) {
      return configOutcome(
        'info',
        'The engine does not report CgroupnsMode (API before 1.41); such engines share the host cgroup namespace.',
        [fromInspect('HostConfig.CgroupnsMode', undefined)],
      );
    }
    const evidence = [fromInspect('HostConfig.CgroupnsMode', mode.raw)];
    if (mode.raw === '')
      return configOutcome(
        'info',
        "The engine's default applies (host on cgroup v1, private on cgroup v2).",
        evidence,
      );
    if (mode.kind === 'host') return configOutcome('warn', "Shares the host's cgroup namespace.", evidence);
    return configOutcome('pass', 'Has its own cgroup namespace.', evidence);
  },
};
