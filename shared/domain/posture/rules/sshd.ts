import type { ProcessInfo } from '../model.js';
import type { ContainerRule } from '../rule.js';
import { configOutcome, ev, kernelOutcome, pidNamespaceEvidence } from './support.js';

/** Whether a process is an SSH daemon (`sshd`, or its per-session `sshd: user@pts/0` children). */
export function isSshd(p: ProcessInfo): boolean {
  if (p.comm === 'sshd') return true;
  const argv0 = p.args[0] ?? '';
  const base = argv0.slice(argv0.lastIndexOf('/') + 1);
  return base === 'sshd' || base.startsWith('sshd:');
}

/**
 * CIS 5.7 (v1.6.0; 5.6 in v1.2–v1.5): sshd does not run in the container.
 *
 * Looks only at the container's own processes: those in its PID namespace, or in its cgroup when it shares
 * the host's PID namespace. A process list taken by PID namespace for a `--pid host` container would be the
 * host's processes; the rule refuses to blame the container for them (docker-bench's `docker exec ps` does).
 */
export const sshd: ContainerRule = {
  id: 'sshd',
  cisId: '5.7',
  title: 'No SSH daemon inside',
  severity: 'medium',
  rationale:
    'An SSH daemon in a container is another network-facing service with its own keys and passwords to manage; docker exec already gives operators a shell.',
  remediation: {
    flag: 'remove sshd from the image and its entrypoint; use docker exec',
    compose: 'no compose key: remove sshd from the image',
  },
  evaluate(s, host) {
    if (!s.running)
      return configOutcome('na', 'The container is not running.', [ev('inspect', 'State.Status', s.state)]);
    const list = s.processes;
    if (list === null) {
      return configOutcome(
        'info',
        'The container’s processes were not listed (remote engine or not gathered).',
        [ev('inspect', 'State.Status', s.state), ev('host', 'processes', '(not gathered)')],
      );
    }
    const outcome = list.source === 'proc' ? kernelOutcome : configOutcome;
    const evidence = [
      ev(
        list.source === 'proc' ? 'proc' : 'engine',
        `processes (${list.scope})`,
        `${list.items.length}${list.truncated ? '+' : ''}`,
      ),
    ];
    if (list.scope === 'pid-namespace') {
      const shared = pidNamespaceEvidence(s, host);
      const hostPid = s.namespaces.pid?.kind === 'host' || shared.shared === true;
      evidence.push(...shared.evidence);
      if (hostPid) {
        return outcome(
          'info',
          'The container shares the host’s PID namespace: the processes in it are the host’s and are not attributed to this container.',
          evidence,
        );
      }
    }
    const found = list.items.filter(isSshd);
    for (const p of found.slice(0, 5))
      evidence.push(
        ev(list.source === 'proc' ? 'proc' : 'engine', `/proc/${p.pid}/cmdline`, p.args.join(' ') || p.comm),
      );
    if (found.length > 0)
      return outcome(
        'fail',
        `sshd is running in the container (${found.length} process${found.length === 1 ? '' : 'es'}).`,
        evidence,
      );
    const note = list.truncated ? ' (the list was cut at its bound)' : '';
    return outcome(
      'pass',
      `${list.items.length} process${list.items.length === 1 ? '' : 'es'}, no sshd${note}.`,
      evidence,
    );
  },
};
