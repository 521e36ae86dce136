import { beforeAll, describe, expect, it } from 'vitest';

import type { Finding } from '../../../shared/domain/posture/model.js';
import type { PostureReport } from '../../../shared/ipc/contract.js';
import {
  evidenceLines,
  evidenceRoleText,
  evidenceSourceLabel,
  verdictBasisText,
} from '../../../renderer/src/state/evidence.js';
import { reportConfigurationReason } from '../../../renderer/src/state/posture.js';
import { buildScenario } from '../../support/posture-report.js';

let local: PostureReport;
let remote: PostureReport;

beforeAll(async () => {
  local = (await buildScenario('local', { badInput: true })).report;
  remote = (await buildScenario('remote')).report;
});

function finding(report: PostureReport, container: string, ruleId: string): Finding {
  const entry = report.containers.find((c) => c.name === `bulkhead-posture-${container}`);
  if (entry?.result.state !== 'assessed') throw new Error(`${container} not assessed`);
  const f = entry.result.findings.find((x) => x.ruleId === ruleId);
  if (f === undefined) throw new Error(`${ruleId} missing`);
  return f;
}

describe('evidence panel', () => {
  it('shows the /proc Seccomp line as deciding, over the configuration, for SYS_ADMIN + seccomp=unconfined', () => {
    const f = finding(local, 'sys-admin-unconfined', 'seccomp');
    const lines = evidenceLines(f);
    const seccomp = lines.find((l) => /^\/proc\/\d+\/status Seccomp$/.test(l.field));
    expect(seccomp).toMatchObject({
      source: 'proc',
      value: '0',
      role: 'decides',
      sourceLabel: 'kernel (/proc)',
    });
    const securityOpt = lines.find((l) => l.field === 'HostConfig.SecurityOpt');
    expect(securityOpt).toMatchObject({ source: 'inspect', role: 'overruled-if-different' });
    expect(securityOpt?.value).toContain('seccomp=unconfined');
    expect(verdictBasisText(f, reportConfigurationReason(local))).toMatch(
      /^Decided by kernel evidence: where the configuration and \/proc disagree, the kernel wins/,
    );
  });

  it('lets the configuration decide where there is no kernel evidence, and says why', () => {
    const created = finding(local, 'privileged', 'seccomp');
    expect(created.evidenceKind).toBe('configuration-only');
    expect(
      evidenceLines(created)
        .filter((l) => l.role === 'decides')
        .every((l) => l.source !== 'proc'),
    ).toBe(true);
    expect(verdictBasisText(created, null)).toMatch(/^Configuration only/);

    const denied = finding(local, 'default-proc-denied', 'seccomp');
    const unread = evidenceLines(denied).find((l) => l.source === 'proc');
    expect(unread?.role).toBe('context');
    expect(unread?.value).toMatch(/permission-denied/);
    expect(verdictBasisText(denied, null)).toMatch(/could not be used/);

    expect(verdictBasisText(finding(local, 'sys-admin-unconfined', 'seccomp'), null, true)).toMatch(
      /^Decided by kernel evidence \(recorded when the demo was made, not live\)/,
    );

    const remoteSeccomp = finding(remote, 'sys-admin-unconfined', 'seccomp');
    expect(verdictBasisText(remoteSeccomp, reportConfigurationReason(remote))).toMatch(
      /^Configuration only \(remote engine/,
    );
  });

  it('shows AppArmor as not available on a host without it, with the host evidence', () => {
    const f = finding(local, 'default', 'apparmor-profile');
    expect(f.status).toBe('na');
    expect(f.message).toContain('not available on this host');
    expect(evidenceLines(f).some((l) => l.source === 'host' && l.field === '/sys/kernel/security/lsm')).toBe(
      true,
    );
  });

  it('names every source and role', () => {
    expect(['inspect', 'proc', 'engine', 'host'].map((s) => evidenceSourceLabel(s as never))).toEqual([
      'docker inspect',
      'kernel (/proc)',
      'docker info',
      'host',
    ]);
    expect(evidenceRoleText('decides')).toBe('decides');
    expect(evidenceRoleText('overruled-if-different')).toBe('configuration');
    expect(evidenceRoleText('context')).toBe('context');
  });
});
