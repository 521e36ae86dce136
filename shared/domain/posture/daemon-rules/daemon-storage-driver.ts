import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** CIS 2.6 (v1.6.0): the aufs storage driver is not used. */
export const daemonStorageDriver: DaemonRule = {
  id: 'daemon-storage-driver',
  cisId: '2.6',
  title: 'Not the aufs storage driver',
  severity: 'medium',
  rationale:
    'aufs is unmaintained, out of the mainline kernel and was removed from Docker 24; its known kernel bugs go unfixed.',
  remediation: { flag: 'dockerd --storage-driver overlay2', compose: 'no compose key: engine setting' },
  evaluate(f) {
    if (f.storageDriver === null) return unknownFact('The storage driver', 'Driver');
    const evidence = [fromEngine('Driver', f.storageDriver)];
    return f.storageDriver === 'aufs'
      ? outcome('fail', 'The aufs storage driver is in use.', evidence)
      : outcome('pass', `Storage driver ${f.storageDriver}.`, evidence);
  },
};
