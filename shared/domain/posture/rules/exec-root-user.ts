import type { ExecInfo } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, fromInspect, isRootUser } from './support.js';

/** Whether an exec session runs as root: `--user root`/`0`, or no `--user` in a container whose user is root. */
function execAsRoot(e: ExecInfo, containerUser: string | null): boolean {
  if (e.user !== '') return isRootUser(e.user);
  return containerUser !== null && isRootUser(containerUser);
}

/** CIS 5.24 (v1.6.0; 5.23 in v1.2–v1.5): `docker exec` is not used with `--user=root`. */
export const execRootUser: ContainerRule = {
  id: 'exec-root-user',
  cisId: '5.24',
  title: 'No exec sessions as root',
  severity: 'medium',
  rationale:
    'An exec session as root in a container built to run unprivileged brings back exactly the privileges the image avoided.',
  remediation: {
    flag: 'docker exec --user <non-root user>',
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
    const root = s.execs.filter((e) => execAsRoot(e, s.user));
    for (const e of root.slice(0, 5))
      evidence.push(
        ev('engine', `exec ${e.id.slice(0, 12)}`, `user ${JSON.stringify(e.user)}: ${e.command}`),
      );
    if (root.length > 0)
      return configOutcome(
        'warn',
        `${root.length} exec session${root.length === 1 ? '' : 's'} as root.`,
        evidence,
      );
    return configOutcome(
      'pass',
      s.execs.length === 0 ? 'No exec sessions.' : `${s.execs.length} exec session(s), none as root.`,
      evidence,
    );
  },
};
