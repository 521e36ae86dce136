import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { mapInspect, parseEngineTime } from '../../../electron/adapters/docker/map-inspect.js';
import type { MapInspectResult } from '../../../electron/adapters/docker/map-inspect.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';

// Documents recorded from real containers by test/support/record-inspect.sh; the file name says which state
// the script brought the container into.
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'inspect');

type Doc = Record<string, unknown> & { State: Record<string, unknown>; Config: Record<string, unknown> };

function fixture(name: string): Doc {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Doc;
}

function summaryOf(result: MapInspectResult): ContainerSummary {
  if (!result.ok) throw new Error(`mapping failed: ${result.message}`);
  return result.summary;
}

describe('mapInspect on recorded documents', () => {
  it('has the recorded fixtures', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(
      ['created', 'exited-3', 'hardened', 'paused', 'running', 'start-failed'].map((n) => `${n}.json`),
    );
  });

  it('running: id, name without slash, image as created, times, pid, labels', () => {
    const doc = fixture('running');
    const result = mapInspect(doc, 'Up 3 seconds');
    expect(result.ok && result.problems).toEqual([]);
    const s = summaryOf(result);
    expect(s.id).toBe(doc.Id);
    expect(s.id).toMatch(/^[0-9a-f]{64}$/);
    expect(s.name).toMatch(/^bh-rec-\d+-running$/);
    expect(s.image).toBe('bulkhead-test/busybox:1');
    expect(s.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(s.state).toBe('running');
    expect(s.status).toBe('Up 3 seconds');
    expect(s.createdAt).toBe(Date.parse(doc.Created as string));
    expect(s.startedAt).toBe(Date.parse(doc.State.StartedAt as string));
    expect(s.startedAt).toBeGreaterThanOrEqual(s.createdAt);
    expect(s.finishedAt).toBeNull(); // Docker reports 0001-01-01T00:00:00Z
    expect(s.exitCode).toBeNull();
    expect(s.pid).toBeGreaterThan(0);
    expect(s.labels).toEqual({
      'bulkhead.test': '1',
      'bulkhead.recording': expect.stringMatching(/^bh-rec-\d+$/) as string,
      'com.example.team': 'payments',
      'com.example.note': 'spaces and = signs',
    });
  });

  it('exited-3: exit code kept, pid 0, both times set', () => {
    const s = summaryOf(mapInspect(fixture('exited-3'), 'Exited (3) 2 seconds ago'));
    expect(s.state).toBe('exited');
    expect(s.exitCode).toBe(3);
    expect(s.pid).toBe(0);
    expect(s.startedAt).not.toBeNull();
    expect(s.finishedAt).not.toBeNull();
  });

  it('created: never started → null times, no exit code', () => {
    const s = summaryOf(mapInspect(fixture('created'), 'Created'));
    expect(s.state).toBe('created');
    expect(s.startedAt).toBeNull();
    expect(s.finishedAt).toBeNull();
    expect(s.exitCode).toBeNull();
    expect(s.pid).toBe(0);
  });

  it('start-failed: state created but the 127 from the refused start is kept', () => {
    const s = summaryOf(mapInspect(fixture('start-failed'), 'Created'));
    expect(s.state).toBe('created');
    expect(s.exitCode).toBe(127);
    expect(s.startedAt).toBeNull();
  });

  it('paused: keeps its pid, no exit code', () => {
    const s = summaryOf(mapInspect(fixture('paused'), 'Up 2 seconds (Paused)'));
    expect(s.state).toBe('paused');
    expect(s.pid).toBeGreaterThan(0);
    expect(s.exitCode).toBeNull();
  });

  it('hardened: maps like any running container', () => {
    const s = summaryOf(mapInspect(fixture('hardened')));
    expect(s.state).toBe('running');
    // Without a status from the list, a neutral one derived from the state.
    expect(s.status).toBe('Running');
  });
});

describe('mapInspect on mutated documents', () => {
  const base = (): Doc => fixture('running');

  it.each<[string, (d: Doc) => unknown, RegExp]>([
    ['not an object', () => 'a string', /not an object/],
    ['null', () => null, /not an object/],
    ['an array', () => [1, 2], /not an object/],
    ['no Id', (d) => ({ ...d, Id: undefined }), /no full 64-hex Id/],
    ['a short Id', (d) => ({ ...d, Id: (d.Id as string).slice(0, 12) }), /no full 64-hex Id/],
    [
      'an Id with shell metacharacters',
      (d) => ({ ...d, Id: `${(d.Id as string).slice(0, 60)};rm -` }),
      /64-hex/,
    ],
    ['no State', (d) => ({ ...d, State: undefined }), /no State object/],
    ['State is a string', (d) => ({ ...d, State: 'running' }), /no State object/],
    [
      'an unknown state',
      (d) => ({ ...d, State: { ...d.State, Status: 'exploded' } }),
      /unknown State.Status "exploded"/,
    ],
    ['no Created', (d) => ({ ...d, Created: undefined }), /unusable Created/],
    ['garbage Created', (d) => ({ ...d, Created: 'yesterday-ish' }), /unusable Created/],
  ])('refuses (without throwing) a document with %s', (_label, mutate, message) => {
    const doc = mutate(base());
    let result: MapInspectResult | undefined;
    expect(() => (result = mapInspect(doc))).not.toThrow();
    expect(result?.ok).toBe(false);
    if (result !== undefined && !result.ok) expect(result.message).toMatch(message);
  });

  it('keeps the name of a refused document when it has one', () => {
    const result = mapInspect({ ...base(), State: null });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.name).toMatch(/^bh-rec-\d+-running$/);
      expect(result.id).toBe(base().Id);
    }
  });

  it.each<[string, (d: Doc) => Doc, RegExp, Partial<ContainerSummary>]>([
    [
      'no Config',
      (d) => ({ ...d, Config: undefined as unknown as Doc['Config'] }),
      /Config missing/,
      { image: '', labels: {} },
    ],
    [
      'Labels null (no labels)',
      (d) => ({ ...d, Config: { ...d.Config, Labels: null } }),
      /^$/,
      { labels: {} },
    ],
    [
      'a non-string label value',
      (d) => ({ ...d, Config: { ...d.Config, Labels: { ok: 'yes', bad: 42 } } }),
      /label "bad" is not a string/,
      { labels: { ok: 'yes' } },
    ],
    [
      'Labels an array',
      (d) => ({ ...d, Config: { ...d.Config, Labels: ['a'] } }),
      /Labels not an object/,
      { labels: {} },
    ],
    ['Pid a string', (d) => ({ ...d, State: { ...d.State, Pid: '123' } }), /State.Pid not a pid/, { pid: 0 }],
    ['negative Pid', (d) => ({ ...d, State: { ...d.State, Pid: -5 } }), /State.Pid/, { pid: 0 }],
    [
      'ExitCode missing',
      (d) => ({ ...d, State: { ...d.State, ExitCode: undefined } }),
      /ExitCode/,
      { exitCode: null },
    ],
    [
      'StartedAt garbage',
      (d) => ({ ...d, State: { ...d.State, StartedAt: 'soon' } }),
      /State.StartedAt unparseable/,
      { startedAt: null },
    ],
    ['no Name', (d) => ({ ...d, Name: undefined }), /Name missing/, { name: '' }],
    ['no Image', (d) => ({ ...d, Image: 7 }), /Image missing/, { imageId: '' }],
    [
      'unexpected extra fields',
      (d) => ({ ...d, FutureField: { x: 1 }, State: { ...d.State, Unheard: true } }),
      /^$/,
      { state: 'running' },
    ],
  ])('maps a document with %s and records the gap', (_label, mutate, problem, expected) => {
    const result = mapInspect(mutate(base()), 'Up 1 second');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.problems.join('; ')).toMatch(problem);
    expect(result.summary).toMatchObject(expected);
    expect(result.summary.id).toBe(base().Id);
  });
});

describe('parseEngineTime', () => {
  it.each<[unknown, number | null | undefined]>([
    ['2024-05-01T10:00:00.123456789Z', Date.UTC(2024, 4, 1, 10, 0, 0, 123)],
    ['2024-05-01T12:00:00+02:00', Date.UTC(2024, 4, 1, 10, 0, 0)],
    ['0001-01-01T00:00:00Z', null],
    ['', null],
    [undefined, null],
    ['not a time', undefined],
    [12345, undefined],
  ])('%s → %s', (input, expected) => {
    expect(parseEngineTime(input)).toBe(expected);
  });
});
