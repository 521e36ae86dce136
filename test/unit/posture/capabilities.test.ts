import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  configuredCapabilities,
  decodeCapabilityMask,
  DOCKER_DEFAULT_CAPABILITIES,
  encodeCapabilityMask,
  KERNEL_CAPABILITIES,
  normalizeCapability,
} from '../../../shared/domain/posture/capabilities.js';
import { parseProcStatus, isParseFailure } from '../../../shared/domain/posture/proc-status.js';
import type { FixtureName } from './fixtures.js';
import { loadInspect, loadSnapshot, MANIFEST, FIXTURE_DIR } from './fixtures.js';

const CAPABILITY_H = '/usr/include/linux/capability.h';

function capsh(): string | null {
  try {
    execFileSync('capsh', ['--decode=0x1'], { stdio: 'pipe' });
    return 'capsh';
  } catch {
    return null;
  }
}

describe('kernel capability numbering', () => {
  it.skipIf(!existsSync(CAPABILITY_H))(`matches ${CAPABILITY_H} bit for bit`, () => {
    const header = readFileSync(CAPABILITY_H, 'utf8');
    const defined = new Map<string, number>();
    for (const m of header.matchAll(/^#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$/gm)) {
      if (m[1] !== undefined && m[2] !== undefined) defined.set(m[1], Number(m[2]));
    }
    const last = /^#define\s+CAP_LAST_CAP\s+(CAP_[A-Z_]+)/m.exec(header)?.[1];
    expect(last).toBeDefined();
    expect(defined.get(last ?? '')).toBe(KERNEL_CAPABILITIES.length - 1);
    KERNEL_CAPABILITIES.forEach((name, bit) => expect([name, defined.get(name)]).toEqual([name, bit]));
  });

  it.skipIf(capsh() === null)('decodes masks exactly as capsh --decode does', () => {
    const recorded = [
      '00000000a80425fb',
      '0000003ffeffffff',
      '00000000a82425fb',
      '000001ffffffffff',
      '0000000000000000',
    ];
    const random = fc.sample(fc.bigInt({ min: 0n, max: (1n << 41n) - 1n }), { numRuns: 40, seed: 41110 });
    const masks = [...recorded, ...random.map((v) => v.toString(16).padStart(16, '0'))];
    for (const hex of masks) {
      const out = execFileSync('capsh', [`--decode=0x${hex}`], { encoding: 'utf8' }).trim();
      const listed = out.slice(out.indexOf('=') + 1);
      const expected = listed === '' ? [] : listed.split(',').map((c) => c.toUpperCase());
      expect(decodeCapabilityMask(hex)?.names, hex).toEqual(expected);
    }
  });

  it('keeps bits above CAP_LAST_CAP as unknown and refuses non-hex', () => {
    expect(decodeCapabilityMask('0000ffffffffffff')?.unknownBits).toEqual([41, 42, 43, 44, 45, 46, 47]);
    expect(decodeCapabilityMask('0000ffffffffffff')?.names).toHaveLength(41);
    for (const bad of ['', 'xyz', '0x10', '1'.repeat(17), '-1'])
      expect(decodeCapabilityMask(bad), bad).toBeNull();
  });

  it('encodes back to the same mask', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 41n) - 1n }), (v) => {
        const hex = v.toString(16).padStart(16, '0');
        expect(encodeCapabilityMask(decodeCapabilityMask(hex)?.names ?? [])).toBe(hex);
      }),
    );
  });
});

describe("Docker's default capability set", () => {
  it('is what the kernel showed for a default container on the real engine', () => {
    const status = parseProcStatus(readFileSync(`${FIXTURE_DIR}/default/proc-status.txt`, 'utf8'));
    if (isParseFailure(status)) throw new Error(status.error);
    expect(status.capEff?.hex).toBe(encodeCapabilityMask(DOCKER_DEFAULT_CAPABILITIES));
    expect([...(status.capEff?.names ?? [])].sort()).toEqual([...DOCKER_DEFAULT_CAPABILITIES].sort());
  });
});

describe('configuredCapabilities (moby TweakCapabilities)', () => {
  const defaults = [...DOCKER_DEFAULT_CAPABILITIES];
  const all = [...KERNEL_CAPABILITIES];
  const without = (set: readonly string[], ...drop: string[]): string[] =>
    set.filter((c) => !drop.includes(c));
  const cases: {
    name: string;
    privileged?: boolean;
    add?: string[];
    drop?: string[];
    expect: string[];
    basis: string;
  }[] = [
    { name: 'nothing changed', expect: defaults, basis: 'default' },
    {
      name: 'drop NET_RAW (daemon-normalised)',
      drop: ['CAP_NET_RAW'],
      expect: without(defaults, 'CAP_NET_RAW'),
      basis: 'default',
    },
    {
      name: 'drop net_raw as typed on the CLI',
      drop: ['net_raw'],
      expect: without(defaults, 'CAP_NET_RAW'),
      basis: 'default',
    },
    { name: 'add SYS_ADMIN', add: ['SYS_ADMIN'], expect: [...defaults, 'CAP_SYS_ADMIN'], basis: 'default' },
    {
      name: 'add ALL, drop SYS_RESOURCE',
      add: ['ALL'],
      drop: ['CAP_SYS_RESOURCE'],
      expect: without(all, 'CAP_SYS_RESOURCE'),
      basis: 'add-all',
    },
    { name: 'add all (lower case)', add: ['all'], expect: all, basis: 'add-all' },
    { name: 'drop ALL', drop: ['ALL'], expect: [], basis: 'drop-all' },
    {
      name: 'drop ALL, add NET_BIND_SERVICE',
      drop: ['ALL'],
      add: ['NET_BIND_SERVICE'],
      expect: ['CAP_NET_BIND_SERVICE'],
      basis: 'drop-all',
    },
    { name: 'add ALL wins over drop ALL', add: ['ALL'], drop: ['ALL'], expect: all, basis: 'add-all' },
    { name: 'privileged ignores drops', privileged: true, drop: ['ALL'], expect: all, basis: 'privileged' },
    { name: 'adding a default capability again', add: ['CHOWN'], expect: defaults, basis: 'default' },
  ];
  it.each(cases)('$name', (c) => {
    const r = configuredCapabilities({
      privileged: c.privileged ?? false,
      capAdd: c.add ?? [],
      capDrop: c.drop ?? [],
    });
    expect([...r.names].sort()).toEqual([...c.expect].sort());
    expect(r.basis).toBe(c.basis);
    expect(r.added.every((a) => !defaults.includes(a as (typeof defaults)[number]))).toBe(true);
  });

  it('reports names that are not capabilities', () => {
    const r = configuredCapabilities({ privileged: false, capAdd: ['SYS_WIZARD'], capDrop: [] });
    expect(r.unknown).toEqual(['CAP_SYS_WIZARD']);
    expect(r.names).toEqual([
      ...configuredCapabilities({ privileged: false, capAdd: [], capDrop: [] }).names,
    ]);
  });

  it('normalises CAP_ prefixes and case', () => {
    expect(['sys_admin', 'CAP_SYS_ADMIN', ' Sys_Admin ', 'cap_sys_admin'].map(normalizeCapability)).toEqual(
      Array(4).fill('CAP_SYS_ADMIN'),
    );
    expect(normalizeCapability('All')).toBe('ALL');
  });

  // The configuration-derived set against what the kernel showed for each recorded running container.
  const running = MANIFEST.fixtures.filter((f) => f.started).map((f) => f.name as FixtureName);
  it.each(running)(
    '%s: configuration agrees with the recorded CapBnd, except cap-add ALL on this engine',
    (name) => {
      const s = loadSnapshot(name);
      const r = configuredCapabilities({
        privileged: s.privileged ?? false,
        capAdd: s.capAdd ?? [],
        capDrop: s.capDrop ?? [],
      });
      const status = parseProcStatus(readFileSync(`${FIXTURE_DIR}/${name}/proc-status.txt`, 'utf8'));
      if (isParseFailure(status)) throw new Error(status.error);
      const kernel = status.capBnd?.names ?? [];
      if (name === 'cap-add-all') {
        // Docker 20.10's capability library stops at CAP_AUDIT_READ (37): the kernel lacks 38–40.
        expect(r.names.filter((c) => !kernel.includes(c))).toEqual([
          'CAP_PERFMON',
          'CAP_BPF',
          'CAP_CHECKPOINT_RESTORE',
        ]);
        expect(kernel.filter((c) => !r.names.includes(c))).toEqual([]);
        expect((loadInspect(name).HostConfig as { CapAdd: string[] }).CapAdd).toEqual(['ALL']);
      } else {
        expect([...r.names]).toEqual([...kernel]);
      }
    },
  );
});
