import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText } from './support.js';

/**
 * CIS 5.19 (v1.6.0; 5.18 in v1.2–v1.5): the default ulimit is overridden at runtime only if needed. No
 * override is fine (`info`: the daemon's defaults apply); an override passes unless it lifts nofile or nproc
 * to unlimited (-1), which warns.
 */
export const ulimits: ContainerRule = {
  id: 'ulimits',
  cisId: '5.19',
  title: 'Ulimits',
  severity: 'low',
  rationale:
    'Per-container ulimits bound open files and processes; lifting them to unlimited lets one container exhaust host-wide tables.',
  remediation: {
    flag: '--ulimit nofile=<soft>:<hard> --ulimit nproc=<n>',
    compose: 'ulimits: { nofile: { soft: 1024, hard: 4096 }, nproc: 512 }',
  },
  evaluate(s) {
    if (s.ulimits === null)
      return configOutcome('info', 'The engine did not report HostConfig.Ulimits.', [
        fromInspect('HostConfig.Ulimits', undefined),
      ]);
    const evidence = [
      fromInspect(
        'HostConfig.Ulimits',
        s.ulimits.map((u) => `${u.name}=${u.soft}:${u.hard}`),
      ),
    ];
    if (s.ulimits.length === 0)
      return configOutcome('info', "No per-container ulimits; the daemon's defaults apply.", evidence);
    const unlimited = s.ulimits.filter(
      (u) => (u.name === 'nofile' || u.name === 'nproc') && (u.soft < 0 || u.hard < 0),
    );
    if (unlimited.length > 0)
      return configOutcome('warn', `Unlimited ${listText(unlimited.map((u) => u.name))}.`, evidence);
    return configOutcome('pass', `Overrides ${listText(s.ulimits.map((u) => u.name))}.`, evidence);
  },
};
