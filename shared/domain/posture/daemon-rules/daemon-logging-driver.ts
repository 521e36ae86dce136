import type { DaemonRule } from '../rule.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** Drivers that keep logs on the engine's own disk only. */
const LOCAL_DRIVERS = new Set(['json-file', 'local']);

/**
 * CIS 2.13 (v1.6.0): centralised and remote logging is configured. `json-file` and `local` keep logs on the
 * host only (warn); `none` discards them (fail); any other driver (syslog, journald, fluentd, gelf, awslogs,
 * splunk, …) can forward them.
 */
export const daemonLoggingDriver: DaemonRule = {
  id: 'daemon-logging-driver',
  cisId: '2.13',
  title: 'Central logging',
  severity: 'low',
  rationale:
    'Logs kept only on the host can be erased by whoever compromises it; a forwarding driver keeps the trail elsewhere.',
  remediation: {
    flag: 'dockerd --log-driver syslog --log-opt syslog-address=… (or fluentd, gelf, …)',
    compose: 'logging: { driver: syslog, options: { syslog-address: … } }',
  },
  evaluate(f) {
    if (f.loggingDriver === null) return unknownFact('The logging driver', 'LoggingDriver');
    const evidence = [fromEngine('LoggingDriver', f.loggingDriver)];
    if (f.loggingDriver === 'none')
      return outcome('fail', 'Container logs are discarded (log driver none).', evidence);
    if (LOCAL_DRIVERS.has(f.loggingDriver))
      return outcome('warn', `Logs stay on the host (${f.loggingDriver}).`, evidence);
    return outcome('pass', `Logs go through ${f.loggingDriver}.`, evidence);
  },
};
