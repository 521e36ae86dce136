import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/**
 * The host uses cgroup v2 (no CIS id). cgroup v1 has the release_agent escape class (CVE-2022-0492), no
 * delegation model for rootless limits, and Docker defaults containers to the host cgroup namespace on it.
 */
export const daemonCgroupVersion: DaemonRule = {
  id: 'daemon-cgroup-version',
  cisId: null,
  title: 'cgroup v2',
  severity: 'low',
  rationale:
    'cgroup v2 has a single hierarchy with safe delegation (resource limits in rootless mode), private cgroup namespaces by default and no release_agent; v1 lacks all three.',
  remediation: {
    flag: 'boot the host with systemd.unified_cgroup_hierarchy=1 (the default on current distributions)',
    compose: 'no compose key: host setting',
  },
  evaluate(f) {
    if (f.cgroupVersion === null) return unknownFact('The cgroup version', 'CgroupVersion');
    const evidence = [
      fromEngine('CgroupVersion', f.cgroupVersion),
      fromEngine('CgroupDriver', f.cgroupDriver),
    ];
    if (f.cgroupVersion === '2') return outcome('pass', 'cgroup v2.', evidence);
    return outcome('warn', `cgroup v${f.cgroupVersion}.`, evidence);
  },
};
