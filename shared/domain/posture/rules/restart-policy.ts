import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect } from './support.js';

/**
 * CIS 5.15 (v1.6.0; 5.14 in v1.2–v1.5): the restart policy is `on-failure` with at most 5 retries.
 * `always`, `unless-stopped` and unlimited `on-failure` warn; `no` passes (nothing restarts in a loop).
 */
export const restartPolicy: ContainerRule = {
  id: 'restart-policy',
  cisId: '5.15',
  title: 'Bounded restart policy',
  severity: 'low',
  rationale:
    'An unbounded restart policy turns a crash loop (or an exploit that crashes the service) into a denial of service on the host and hides the failure.',
  remediation: { flag: '--restart on-failure:5', compose: 'restart: on-failure:5' },
  evaluate(s) {
    const p = s.restartPolicy;
    if (p === null)
      return configOutcome('info', 'The engine did not report HostConfig.RestartPolicy.', [
        fromInspect('HostConfig.RestartPolicy', undefined),
      ]);
    const evidence = [
      fromInspect(
        'HostConfig.RestartPolicy',
        `${p.name || 'no'}${p.name === 'on-failure' ? `:${p.maximumRetryCount}` : ''}`,
      ),
    ];
    switch (p.name) {
      case '':
      case 'no':
        return configOutcome('pass', 'Not restarted automatically.', evidence);
      case 'on-failure':
        if (p.maximumRetryCount > 0 && p.maximumRetryCount <= 5)
          return configOutcome(
            'pass',
            `Restarted on failure at most ${p.maximumRetryCount} times.`,
            evidence,
          );
        return configOutcome(
          'warn',
          p.maximumRetryCount === 0
            ? 'Restarted on failure without a retry limit.'
            : `Restarted on failure up to ${p.maximumRetryCount} times (more than 5).`,
          evidence,
        );
      case 'always':
      case 'unless-stopped':
        return configOutcome('warn', `Restart policy ${p.name}: restarted without limit.`, evidence);
      default:
        return configOutcome('info', `Unknown restart policy ${JSON.stringify(p.name)}.`, evidence);
    }
  },
};
