import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  isInitialUserNamespace,
  isParseFailure,
  mapId,
  parseAttrCurrent,
  parseIdMap,
  parseLsmList,
  parseProcStatus,
} from '../../../shared/domain/posture/proc-status.js';
import type { FixtureName } from './fixtures.js';
import { FIXTURE_DIR } from './fixtures.js';

const recorded = (name: FixtureName, file: string): string =>
  readFileSync(`${FIXTURE_DIR}/${name}/${file}`, 'utf8');

describe('parseProcStatus on recorded /proc/<pid>/status', () => {
  const cases: {
    name: FixtureName;
    seccomp: number;
    filters: number;
    nnp: boolean;
    uid: number;
    capEff: string;
    effCount: number;
  }[] = [
    { name: 'default', seccomp: 2, filters: 1, nnp: false, uid: 0, capEff: '00000000a80425fb', effCount: 14 },
    {
      name: 'drop-net-raw',
      seccomp: 2,
      filters: 1,
      nnp: false,
      uid: 0,
      capEff: '00000000a80405fb',
      effCount: 13,
    },
    {
      name: 'sys-admin-unconfined',
      seccomp: 0,
      filters: 0,
      nnp: false,
      uid: 0,
      capEff: '00000000a82425fb',
      effCount: 15,
    },
    {
      name: 'cap-add-all',
      seccomp: 0,
      filters: 0,
      nnp: false,
      uid: 0,
      capEff: '0000003ffeffffff',
      effCount: 37,
    },
    {
      name: 'hardened',
      seccomp: 2,
      filters: 1,
      nnp: true,
      uid: 1000,
      capEff: '0000000000000000',
      effCount: 0,
    },
    {
      name: 'docker-sock-host-ns',
      seccomp: 2,
      filters: 1,
      nnp: false,
      uid: 0,
      capEff: '00000000a80425fb',
      effCount: 14,
    },
  ];
  it.each(cases)('$name', (c) => {
    const s = parseProcStatus(recorded(c.name, 'proc-status.txt'));
    if (isParseFailure(s)) throw new Error(s.error);
    expect(s.name).toBe('sleep');
    expect(s.seccompMode).toBe(c.seccomp);
    expect(s.seccompFilters).toBe(c.filters);
    expect(s.noNewPrivs).toBe(c.nnp);
    expect(s.uid?.[1]).toBe(c.uid);
    expect(s.capEff?.hex).toBe(c.capEff);
    expect(s.capEff?.names).toHaveLength(c.effCount);
    expect(s.capBnd?.hex).toBe(c.capEff);
  });

  it('gives null for lines an older kernel does not print', () => {
    const s = parseProcStatus('Name:\tsleep\nPid:\t42\nCapEff:\t0000000000000000\n');
    if (isParseFailure(s)) throw new Error(s.error);
    expect([s.pid, s.seccompMode, s.seccompFilters, s.noNewPrivs, s.capBnd, s.uid]).toEqual([
      42,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it.each([
    ['empty text', ''],
    ['not key/value lines', 'hello world\n'],
    ['a capability mask that is not hex', 'Name:\tx\nCapEff:\tzzzz\n'],
    ['a seccomp mode the kernel does not have', 'Name:\tx\nSeccomp:\t7\n'],
  ])('refuses %s', (_label, text) => {
    expect(isParseFailure(parseProcStatus(text))).toBe(true);
  });
});

describe('parseIdMap', () => {
  it('reads the recorded identity map as the initial user namespace', () => {
    const ranges = parseIdMap(recorded('default', 'uid_map.txt'));
    if (isParseFailure(ranges)) throw new Error(ranges.error);
    expect(ranges).toEqual([{ inside: 0, outside: 0, count: 4294967295 }]);
    expect(isInitialUserNamespace(ranges)).toBe(true);
  });

  it.each([
    ['userns-remap', '         0     100000      65536\n', false, 0, 100000],
    ['rootless with two ranges', '0 1000 1\n1 100000 65536\n', false, 1, 100000],
    ['identity', '0 0 4294967295', true, 1000, 1000],
  ])('%s', (_label, text, initial, inside, outside) => {
    const ranges = parseIdMap(text);
    if (isParseFailure(ranges)) throw new Error(ranges.error);
    expect(isInitialUserNamespace(ranges)).toBe(initial);
    expect(mapId(ranges, inside)).toBe(outside);
  });

  it('leaves ids outside every range unmapped', () => {
    const ranges = parseIdMap('0 100000 65536');
    if (isParseFailure(ranges)) throw new Error(ranges.error);
    expect(mapId(ranges, 70000)).toBeNull();
  });

  it.each([[''], ['0 0'], ['a b c'], ['0 0 -1'], ['0 0 1 1']])('refuses %j', (text) => {
    expect(isParseFailure(parseIdMap(text))).toBe(true);
  });
});

describe('parseAttrCurrent', () => {
  it.each([
    ['docker-default (enforce)\n', 'apparmor', 'docker-default', 'enforce', false],
    ['unconfined\n', 'apparmor', 'unconfined', null, true],
    ['my-profile (complain)\n', 'apparmor', 'my-profile', 'complain', false],
    ['system_u:system_r:container_t:s0:c123,c456\u0000', 'selinux', 'container_t', null, false],
    ['system_u:system_r:spc_t:s0\u0000', 'selinux', 'spc_t', null, true],
    ['unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023\n', 'selinux', 'unconfined_t', null, true],
  ])('%j', (text, lsm, profile, mode, unconfined) => {
    const label = parseAttrCurrent(text);
    if (isParseFailure(label)) throw new Error(label.error);
    expect(label).toMatchObject({ lsm, profile, mode, unconfined });
  });

  it('refuses an empty label', () => {
    expect(isParseFailure(parseAttrCurrent('\n'))).toBe(true);
    expect(isParseFailure(parseAttrCurrent('\u0000'))).toBe(true);
  });
});

describe('parseLsmList', () => {
  it.each([
    ['lockdown,capability,yama,apparmor', ['lockdown', 'capability', 'yama', 'apparmor']],
    ['capability,selinux\n', ['capability', 'selinux']],
    ['', []],
  ])('%j', (text, expected) => {
    expect(parseLsmList(text)).toEqual(expected);
  });
});
