import type { ContainerRule } from '../rule.js';
import { apparmorProfile } from './apparmor-profile.js';
import { capAddAll } from './cap-add-all.js';
import { capabilities } from './capabilities.js';
import { cgroupParent } from './cgroup-parent.js';
import { cgroupnsHost } from './cgroupns-host.js';
import { cpuLimit } from './cpu-limit.js';
import { defaultBridge } from './default-bridge.js';
import { dockerSocket } from './docker-socket.js';
import { execPrivileged } from './exec-privileged.js';
import { execRootUser } from './exec-root-user.js';
import { healthCheck } from './health-check.js';
import { hostDevices } from './host-devices.js';
import { hostInterfaceBinding } from './host-interface-binding.js';
import { hostIpc } from './host-ipc.js';
import { hostNetwork } from './host-network.js';
import { hostPid } from './host-pid.js';
import { hostUserns } from './host-userns.js';
import { hostUts } from './host-uts.js';
import { memoryLimit } from './memory-limit.js';
import { mountPropagation } from './mount-propagation.js';
import { noNewPrivileges } from './no-new-privileges.js';
import { pidsLimit } from './pids-limit.js';
import { privileged } from './privileged.js';
import { privilegedPorts } from './privileged-ports.js';
import { publishedPorts } from './published-ports.js';
import { readonlyRootfs } from './readonly-rootfs.js';
import { restartPolicy } from './restart-policy.js';
import { runsAsRoot } from './runs-as-root.js';
import { seccomp } from './seccomp.js';
import { selinuxOptions } from './selinux-options.js';
import { sensitiveMountsRule } from './sensitive-mounts.js';
import { sshd } from './sshd.js';
import { systempathsUnconfined } from './systempaths-unconfined.js';
import { ulimits } from './ulimits.js';

/**
 * Every container posture rule, in CIS Docker Benchmark v1.6.0 §5 order, followed by the checks CIS does
 * not have.
 *
 * CIS v1.6.0 §5 items without a rule: 5.1 (swarm mode) is a daemon fact, see daemon-rules/; 5.28 (always
 * use the latest image, i.e. `docker pull` before `run`) cannot be judged from a running container.
 */
export const CONTAINER_RULES: readonly ContainerRule[] = [
  apparmorProfile, // 5.2
  selinuxOptions, // 5.3
  capabilities, // 5.4
  privileged, // 5.5
  sensitiveMountsRule, // 5.6
  sshd, // 5.7
  privilegedPorts, // 5.8
  publishedPorts, // 5.9
  hostNetwork, // 5.10
  memoryLimit, // 5.11
  cpuLimit, // 5.12
  readonlyRootfs, // 5.13
  hostInterfaceBinding, // 5.14
  restartPolicy, // 5.15
  hostPid, // 5.16
  hostIpc, // 5.17
  hostDevices, // 5.18
  ulimits, // 5.19
  mountPropagation, // 5.20
  hostUts, // 5.21
  seccomp, // 5.22
  execPrivileged, // 5.23
  execRootUser, // 5.24
  cgroupParent, // 5.25
  noNewPrivileges, // 5.26
  healthCheck, // 5.27
  pidsLimit, // 5.29
  defaultBridge, // 5.30
  hostUserns, // 5.31
  dockerSocket, // 5.32
  runsAsRoot, // 4.1 at runtime
  capAddAll,
  systempathsUnconfined,
  cgroupnsHost,
];
