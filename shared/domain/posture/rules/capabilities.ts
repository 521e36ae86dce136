import {
  configuredCapabilities,
  DANGEROUS_CAPABILITIES,
  DOCKER_DEFAULT_CAPABILITIES,
  sortCapabilities,
} from '../capabilities.js';
import type { Evidence } from '../model.js';
import type { ContainerRule } from '../rule.js';
import {
  configOutcome,
  ev,
  fromInspect,
  kernelOutcome,
  listText,
  notReported,
  procStatus,
} from './support.js';

const short = (c: string): string => c.replace(/^CAP_/, '');

/**
 * CIS 5.4 (v1.6.0; 5.3 in v1.2–v1.5): Linux capabilities are restricted.
 *
 * docker-bench only looks at CapAdd. Here the set is the effective one: Docker's default set, minus CapDrop,
 * plus CapAdd, `ALL` handled both ways and `--privileged` meaning every capability. On a local engine the
 * kernel's set is trusted: CapBnd (what the process or anything it execs can ever hold) — or CapPrm when
 * NoNewPrivs is set, since setuid binaries can then no longer raise it. Dangerous additions fail, other
 * additions warn; a set within Docker's default passes.
 */
export const capabilities: ContainerRule = {
  id: 'capabilities',
  cisId: '5.4',
  title: 'Capabilities restricted',
  severity: 'high',
  rationale:
    "Capabilities split root's power; each one beyond Docker's default set widens what a compromised process can do to the host kernel (SYS_ADMIN alone allows mounts, namespaces and most known escapes).",
  remediation: {
    flag: '--cap-drop ALL --cap-add <only what is needed>',
    compose: 'cap_drop: [ALL]\ncap_add: [<only what is needed>]',
  },
  evaluate(s) {
    if (s.privileged === null || s.capAdd === null || s.capDrop === null)
      return notReported('HostConfig.CapAdd/CapDrop/Privileged');
    const configured = configuredCapabilities({
      privileged: s.privileged,
      capAdd: s.capAdd,
      capDrop: s.capDrop,
    });
    const evidence: Evidence[] = [
      fromInspect('HostConfig.CapAdd', s.capAdd),
      fromInspect('HostConfig.CapDrop', s.capDrop),
      fromInspect('HostConfig.Privileged', s.privileged),
      ev(
        'inspect',
        'effective set from configuration',
        `${configured.names.length}: ${configured.names.map(short).join(' ')}`,
      ),
    ];
    if (configured.unknown.length > 0)
      evidence.push(ev('inspect', 'not kernel capabilities', configured.unknown.join(' ')));

    const status = procStatus(s);
    evidence.push(...status.evidence);
    let trusted: readonly string[] = configured.names;
    let fromKernel = false;
    let disagreement = '';
    const k = status.value;
    if (k !== null && k.capBnd !== null && k.capEff !== null) {
      const kernelSet = k.noNewPrivs === true && k.capPrm !== null ? k.capPrm : k.capBnd;
      evidence.push(
        ev('proc', `${status.path} CapEff`, `${k.capEff.hex} (${k.capEff.names.length})`),
        ev('proc', `${status.path} CapBnd`, `${k.capBnd.hex} (${k.capBnd.names.length})`),
      );
      if (k.capPrm !== null)
        evidence.push(ev('proc', `${status.path} CapPrm`, `${k.capPrm.hex} (${k.capPrm.names.length})`));
      evidence.push(
        ev(
          'proc',
          `${status.path} NoNewPrivs`,
          k.noNewPrivs === null ? '(absent)' : k.noNewPrivs ? '1' : '0',
        ),
      );
      trusted = kernelSet.names;
      fromKernel = true;
      const onlyConfig = configured.names.filter((c) => !trusted.includes(c));
      const onlyKernel = trusted.filter((c) => !configured.names.includes(c));
      if (onlyConfig.length > 0 || onlyKernel.length > 0) {
        const parts = [
          onlyKernel.length > 0 ? `the kernel also shows ${listText(onlyKernel.map(short))}` : '',
          onlyConfig.length > 0 ? `the kernel lacks ${listText(onlyConfig.map(short))}` : '',
        ].filter((p) => p !== '');
        disagreement = ` The configuration implies ${configured.names.length} capabilities but ${parts.join('; ')}; the kernel's set is used.`;
      }
    }

    const defaults = new Set<string>(DOCKER_DEFAULT_CAPABILITIES);
    const added = sortCapabilities(trusted.filter((c) => !defaults.has(c)));
    const dangerous = added.filter((c) => DANGEROUS_CAPABILITIES.has(c));
    const outcome = fromKernel ? kernelOutcome : configOutcome;
    const basis = s.privileged ? ' (privileged)' : configured.basis === 'add-all' ? ' (cap-add ALL)' : '';
    if (dangerous.length > 0) {
      return outcome(
        'fail',
        `${trusted.length} capabilities${basis}, including ${listText(dangerous.map(short))} beyond Docker's default set.${disagreement}`,
        evidence,
      );
    }
    if (added.length > 0) {
      return outcome(
        'warn',
        `${trusted.length} capabilities; ${listText(added.map(short))} beyond Docker's default set.${disagreement}`,
        evidence,
      );
    }
    const hint =
      trusted.length > 0 ? ' Dropping ALL and adding back only what is needed narrows it further.' : '';
    return outcome(
      'pass',
      `${trusted.length} capabilities, none beyond Docker's default set.${hint}${disagreement}`,
      evidence,
    );
  },
};
