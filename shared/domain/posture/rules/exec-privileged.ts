import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect } from './support.js';

/**
 * CIS 5.23 (v1.6.0; 5.22 in v1.2–v1.5): `docker exec` is not used with `--privileged`. Judged from the exec
 * sessions the caller inspected (the engine keeps recent ones in ExecIDs); `info` when none were inspected.
 */
export const execPrivileged: ContainerRule = {
  id: 'exec-privileged',
  cisId: '5.23',
  title: 'No privileged exec sessions',
  severity: 'high',
  rationale:
    'docker exec --privileged runs a process with every capability and no seccomp or LSM confinement inside an otherwise restricted container.',
  remediation: {
    flag: 'run docker exec without --privileged',
    compose: 'no compose key: an operational practice',
  },
  evaluate(s) {
    const evidence = [fromInspect('ExecIDs', s.execIds.length)];
    if (s.execs === null) {
      return configOutcome(
        'info',
        s.execIds.length === 0
          ? 'No exec sessions are recorded.'
          : `${s.execIds.length} exec session(s) recorded but not inspected.`,
        evidence,
      );
    }
    const priv = s.execs.filter((e) => e.privileged);
    for (const e of priv.slice(0, 5))
      evidence.push(ev('engine', `exec ${e.id.slice(0, 12)}`, `privileged: ${e.command}`));
    if (priv.length > 0)
      return configOutcome(
        'fail',
        `${priv.length} privileged exec session${priv.length === 1 ? '' : 's'}.`,
        evidence,
      );
    return configOutcome(
      'pass',
      s.execs.length === 0 ? 'No exec sessions.' : `${s.execs.length} exec session(s), none privileged.`,
      evidence,
    );
  },
};
