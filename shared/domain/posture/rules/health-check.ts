import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, notReported } from './support.js';

/** CIS 5.27 (v1.6.0; 5.26 in v1.2–v1.5): container health is checked at runtime. */
export const healthCheck: ContainerRule = {
  id: 'health-check',
  cisId: '5.27',
  title: 'Health check',
  severity: 'low',
  rationale:
    'A health check lets the engine and orchestrators notice a hung or subverted service and replace it instead of leaving it running.',
  remediation: {
    flag: '--health-cmd "<command>" --health-interval 30s',
    compose: 'healthcheck: { test: ["CMD", "<command>"], interval: 30s }',
  },
  evaluate(s) {
    if (s.healthcheck === null) return notReported('Config.Healthcheck');
    const evidence = [fromInspect('Config.Healthcheck', s.healthcheck)];
    switch (s.healthcheck) {
      case 'configured':
        return configOutcome('pass', 'A health check is configured.', evidence);
      case 'disabled':
        return configOutcome('warn', 'The health check is disabled (NONE).', evidence);
      default:
        return configOutcome('warn', 'No health check.', evidence);
    }
  },
};
