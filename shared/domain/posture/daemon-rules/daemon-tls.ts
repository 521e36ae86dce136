import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/**
 * CIS 2.7 (v1.6.0): TLS authentication is configured where the daemon listens on TCP. The fact comes from
 * the adapter (the daemon's -H flags, daemon.json hosts, or the endpoint Bulkhead itself uses) or from the
 * engine's own "API is accessible … without encryption" warning.
 */
export const daemonTls: DaemonRule = {
  id: 'daemon-tls',
  cisId: '2.7',
  title: 'No TCP socket without TLS',
  severity: 'critical',
  rationale:
    'A TCP socket without TLS client authentication gives anyone who can reach the port full control of the engine — root on the host.',
  remediation: {
    flag: 'dockerd --tlsverify --tlscacert … --tlscert … --tlskey … -H tcp://…:2376 (or listen on the Unix socket only)',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.tcpWithoutTls === null)
      return unknownFact('Whether the engine listens on TCP without TLS', 'listening sockets');
    const warning = f.warnings.find((w) => /without encryption/i.test(w));
    const evidence = [
      fromEngine('TCP without TLS', f.tcpWithoutTls),
      ...(warning !== undefined ? [fromEngine('Warnings', warning)] : []),
    ];
    if (f.tcpWithoutTls)
      return outcome('fail', 'The engine API is reachable over TCP without TLS.', evidence);
    return outcome('pass', 'No TCP socket without TLS.', evidence);
  },
};
