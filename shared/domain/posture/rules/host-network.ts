import { hostNamespaceRule } from './host-namespace.js';

/** CIS 5.10 (v1.6.0; 5.9 in v1.2–v1.5): the host's network namespace is not shared (`--net host`). */
export const hostNetwork = hostNamespaceRule({
  id: 'host-network',
  cisId: '5.10',
  title: 'Own network namespace',
  severity: 'high',
  rationale:
    "With --network host the container uses the host's interfaces directly: it can bind any host port, reach services listening on localhost (including unauthenticated admin APIs) and, with NET_RAW/NET_ADMIN, sniff or reconfigure host traffic.",
  remediation: {
    flag: 'remove --network host; publish ports with -p',
    compose: 'network_mode: bridge  # or a user-defined network',
  },
  namespace: 'network',
  field: 'HostConfig.NetworkMode',
  noun: 'network stack',
});
