import type { DaemonRule } from '../rule.js';
import { authzCve202441110 } from './authz-cve-2024-41110.js';
import { authzCve202634040 } from './authz-cve-2026-34040.js';
import { daemonAuthzPlugin } from './daemon-authz-plugin.js';
import { daemonCgroupVersion } from './daemon-cgroup-version.js';
import { daemonDefaultUlimits } from './daemon-default-ulimits.js';
import { daemonExperimental } from './daemon-experimental.js';
import { daemonIcc } from './daemon-icc.js';
import { daemonInsecureRegistries } from './daemon-insecure-registries.js';
import { daemonIptables } from './daemon-iptables.js';
import { daemonLiveRestore } from './daemon-live-restore.js';
import { daemonLogLevel } from './daemon-log-level.js';
import { daemonLoggingDriver } from './daemon-logging-driver.js';
import { daemonNoNewPrivileges } from './daemon-no-new-privileges.js';
import { daemonRootless } from './daemon-rootless.js';
import { daemonSeccompProfile } from './daemon-seccomp-profile.js';
import { daemonStorageDriver } from './daemon-storage-driver.js';
import { daemonSwarm } from './daemon-swarm.js';
import { daemonTls } from './daemon-tls.js';
import { daemonUserlandProxy } from './daemon-userland-proxy.js';
import { daemonUsernsRemap } from './daemon-userns-remap.js';

/**
 * Every daemon rule: the CIS Docker Benchmark v1.6.0 §2 items the engine API or the local host can answer,
 * §5.1 (swarm mode, an engine fact), then the checks CIS does not have.
 *
 * §2 items without a rule: 2.10 (default cgroup parent) and 2.11 (base device size, devicemapper only) are
 * not exposed by the engine API.
 */
export const DAEMON_RULES: readonly DaemonRule[] = [
  daemonRootless, // 2.1
  daemonIcc, // 2.2
  daemonLogLevel, // 2.3
  daemonIptables, // 2.4
  daemonInsecureRegistries, // 2.5
  daemonStorageDriver, // 2.6
  daemonTls, // 2.7
  daemonDefaultUlimits, // 2.8
  daemonUsernsRemap, // 2.9
  daemonAuthzPlugin, // 2.12
  daemonLoggingDriver, // 2.13
  daemonNoNewPrivileges, // 2.14
  daemonLiveRestore, // 2.15
  daemonUserlandProxy, // 2.16
  daemonSeccompProfile, // 2.17
  daemonExperimental, // 2.18
  daemonSwarm, // 5.1
  daemonCgroupVersion,
  authzCve202441110,
  authzCve202634040,
];
