import { hostNamespaceRule } from './host-namespace.js';

/** CIS 5.17 (v1.6.0; 5.16 in v1.2–v1.5): the host's IPC namespace is not shared (`--ipc host`). */
export const hostIpc = hostNamespaceRule({
  id: 'host-ipc',
  cisId: '5.17',
  title: 'Own IPC namespace',
  severity: 'high',
  rationale:
    "With --ipc host the container sees and can attach to the host's shared memory segments, semaphores and message queues.",
  remediation: { flag: 'remove --ipc host (use --ipc private or shareable)', compose: 'ipc: private' },
  namespace: 'ipc',
  field: 'HostConfig.IpcMode',
  noun: 'IPC namespace',
});
