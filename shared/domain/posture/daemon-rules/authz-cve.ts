import { compareVersions, parseEngineVersion, rangeContaining } from '../engine-version.js';
import type { VersionRange } from '../engine-version.js';
import type { RuleOutcome } from '../rule.js';
import type { EngineFacts } from '../model.js';
import { fromEngine, outcome, unknownFact } from './support.js';

/** The verdict of an AuthZ-bypass advisory for an engine: only engines with an authorization plugin are exposed. */
export function authzAdvisoryOutcome(
  f: EngineFacts,
  advisory: {
    readonly cve: string;
    readonly ranges: readonly VersionRange[];
    readonly fixedIn: string;
    readonly olderThanRanges?: string;
  },
): RuleOutcome {
  if (f.authorizationPlugins === null)
    return unknownFact('The authorization plugins', 'Plugins.Authorization');
  const evidence = [
    fromEngine('Plugins.Authorization', f.authorizationPlugins),
    fromEngine('Version', f.version),
  ];
  if (f.authorizationPlugins.length === 0)
    return outcome(
      'na',
      `No authorization plugin is configured, so ${advisory.cve} does not apply.`,
      evidence,
    );
  if (f.version === null)
    return outcome('info', `The engine version is unknown; ${advisory.cve} cannot be ruled out.`, evidence);
  const v = parseEngineVersion(f.version);
  if (v === null)
    return outcome(
      'info',
      `Engine version ${JSON.stringify(f.version)} is not understood; ${advisory.cve} cannot be ruled out.`,
      evidence,
    );
  const first = parseEngineVersion(advisory.ranges[0]?.from ?? '');
  if (advisory.olderThanRanges !== undefined && first !== null && compareVersions(v, first) < 0) {
    return outcome(
      'warn',
      `Engine ${f.version} with an authorization plugin predates the ${advisory.cve} ranges; ${advisory.olderThanRanges}`,
      evidence,
    );
  }
  const range = rangeContaining(v, advisory.ranges);
  if (range === null)
    return outcome('pass', `Engine ${f.version} is outside the ${advisory.cve} ranges.`, evidence);
  evidence.push(fromEngine('affected range', `>= ${range.from}, < ${range.before}`));
  if (v.distributionBuild) {
    return outcome(
      'warn',
      `Engine ${f.version} is in the ${advisory.cve} range (${range.from} to before ${range.before}) and an authorization plugin is in use; it is a distribution build, which may carry a backported fix — check the vendor's advisory, or upgrade to ${advisory.fixedIn}.`,
      evidence,
    );
  }
  return outcome(
    'fail',
    `Engine ${f.version} with an authorization plugin is affected by ${advisory.cve}: a crafted request can bypass the plugin. Upgrade to ${advisory.fixedIn}.`,
    evidence,
  );
}
