import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.5 (v1.6.0): insecure registries are not used (loopback, the engine's built-in default, is ignored). */
export const daemonInsecureRegistries: DaemonRule = {
  id: 'daemon-insecure-registries',
  cisId: '2.5',
  title: 'No insecure registries',
  severity: 'medium',
  rationale:
    'Images pulled from an insecure registry travel without TLS verification; anyone on the path can substitute them.',
  remediation: {
    flag: 'remove --insecure-registry (daemon.json "insecure-registries")',
    compose: 'no compose key: engine setting',
  },
  evaluate(f) {
    if (f.insecureRegistries === null) return unknownFact('The insecure registries', 'RegistryConfig');
    const evidence = [fromEngine('RegistryConfig (insecure, loopback excluded)', f.insecureRegistries)];
    if (f.insecureRegistries.length === 0) return outcome('pass', 'No insecure registries.', evidence);
    return outcome('fail', `Insecure registries: ${f.insecureRegistries.join(', ')}.`, evidence);
  },
};
