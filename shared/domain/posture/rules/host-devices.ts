import type { ContainerRule } from '../rule.js';
import { configOutcome, fromInspect, listText, notReported } from './support.js';

/**
 * CIS 5.18 (v1.6.0; 5.17 in v1.2–v1.5): host devices are not exposed. `--privileged` exposes all of them
 * even though HostConfig.Devices stays empty, so it fails here too; device cgroup rules count as exposure.
 */
export const hostDevices: ContainerRule = {
  id: 'host-devices',
  cisId: '5.18',
  title: 'No host devices',
  severity: 'high',
  rationale:
    'A host device node (a disk, /dev/mem, a GPU) inside the container gives direct access to the hardware behind it, around the filesystem and its permissions.',
  remediation: {
    flag: 'remove --device (or narrow it: --device /dev/x:/dev/x:r)',
    compose: 'devices: []  # only the device needed, read-only where possible',
  },
  evaluate(s) {
    if (s.devices === null || s.privileged === null) return notReported('HostConfig.Devices');
    const evidence = [
      fromInspect(
        'HostConfig.Devices',
        s.devices.map((d) => `${d.pathOnHost}:${d.pathInContainer}:${d.cgroupPermissions}`),
      ),
    ];
    if (s.privileged) {
      evidence.push(fromInspect('HostConfig.Privileged', true));
      return configOutcome('fail', 'Privileged: every host device is available.', evidence);
    }
    const rules = s.deviceCgroupRules ?? [];
    if (rules.length > 0) evidence.push(fromInspect('HostConfig.DeviceCgroupRules', rules));
    if (s.devices.length === 0 && rules.length === 0)
      return configOutcome('pass', 'No host devices.', evidence);
    const parts = [
      s.devices.length > 0
        ? `device${s.devices.length === 1 ? '' : 's'} ${listText(s.devices.map((d) => `${d.pathOnHost} (${d.cgroupPermissions || 'rwm'})`))}`
        : '',
      rules.length > 0 ? `device cgroup rule${rules.length === 1 ? '' : 's'} ${listText(rules)}` : '',
    ].filter((p) => p !== '');
    return configOutcome('warn', `Exposes ${parts.join(' and ')}.`, evidence);
  },
};
