import { hasSecurityOption } from '../engine-facts.js';
import { isInitialUserNamespace, unmapId } from '../proc-status.js';
import type { Evidence } from '../model.js';
import type { ContainerRule } from '../rule.js';
import {
  configOutcome,
  ev,
  fromInspect,
  isRootUser,
  kernelOutcome,
  notReported,
  procStatus,
  readKernel,
} from './support.js';

/**
 * The container's process is not host root (CIS 4.1, "a user for the container has been created", judged at
 * runtime). Root inside is only a concern when it is root outside too: the kernel's effective uid and
 * /proc/<pid>/uid_map decide on a local engine; otherwise Config.User and the engine's userns/rootless mode.
 */
export const runsAsRoot: ContainerRule = {
  id: 'runs-as-root',
  cisId: '4.1',
  title: 'Not root on the host',
  severity: 'medium',
  rationale:
    'A process that is uid 0 in the initial user namespace is host root as far as files, signals and kernel interfaces are concerned; every other weakness (a mount, a capability, a kernel bug) is then exploited as root.',
  remediation: {
    flag: '--user <uid>:<gid> (or enable userns-remap / rootless mode on the daemon)',
    compose: 'user: "1000:1000"',
  },
  evaluate(s, host) {
    if (s.user === null) return notReported('Config.User');
    const evidence: Evidence[] = [fromInspect('Config.User', s.user)];
    const status = procStatus(s);
    evidence.push(...status.evidence);
    const map = readKernel(s.kernel?.uidMap, '');
    evidence.push(...map.evidence);
    const uid = status.value?.uid?.[1] ?? null;
    if (uid !== null && map.value !== null) {
      evidence.push(
        ev('proc', `${status.path} Uid`, status.value?.uid?.join(' ') ?? ''),
        ev(
          'proc',
          s.kernel?.uidMap.path ?? 'uid_map',
          map.value.map((r) => `${r.inside} ${r.outside} ${r.count}`).join('; '),
        ),
      );
      // /proc/<pid>/status is read from the host, so its Uid is the host's view of the process; uid_map
      // translates it back to the uid the process has inside its own user namespace.
      const hostUid = uid;
      const insideUid = unmapId(map.value, hostUid);
      const inInitial = isInitialUserNamespace(map.value);
      if (hostUid !== 0)
        return kernelOutcome(
          'pass',
          inInitial || insideUid === hostUid
            ? `Runs as uid ${hostUid}.`
            : `Runs as uid ${insideUid ?? 'unmapped'} inside a user namespace, mapped to host uid ${hostUid}.`,
          evidence,
        );
      return kernelOutcome(
        'warn',
        inInitial
          ? 'Runs as uid 0 in the host’s user namespace: root in the container is root on the host.'
          : 'Runs as host uid 0 even inside its user namespace (uid_map maps it to 0): root in the container is root on the host.',
        evidence,
      );
    }
    const remapped =
      (hasSecurityOption(host.engineSecurityOptions, 'userns') ||
        hasSecurityOption(host.engineSecurityOptions, 'rootless')) &&
      s.namespaces.user?.kind !== 'host';
    evidence.push(
      ev(
        'engine',
        'docker info SecurityOptions',
        host.engineSecurityOptions.map((o) => o.name).join(',') || '(none reported)',
      ),
    );
    if (!isRootUser(s.user)) return configOutcome('pass', `Configured to run as ${s.user}.`, evidence);
    if (remapped)
      return configOutcome(
        'pass',
        'Runs as root inside, remapped to an unprivileged host uid by the engine.',
        evidence,
      );
    return configOutcome(
      'warn',
      `Runs as root (${s.user === '' ? 'the image default' : s.user}) without user namespace remapping.`,
      evidence,
    );
  },
};
