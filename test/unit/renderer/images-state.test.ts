import { describe, expect, it } from 'vitest';

import type { AdvisoryFinding } from '../../../shared/domain/advisories/store-model.js';
import type { ContainerId } from '../../../shared/domain/ids.js';
import type { ImageLintFinding, ImageScanReport } from '../../../shared/domain/images/report.js';
import type { ImageStatusEntry } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import {
  DEFAULT_FINDING_SORT,
  NO_FINDING_FILTER,
  advisoryUrl,
  applyDbResult,
  applyImagesResult,
  applyProgress,
  applyScanResult,
  beginImagesRequest,
  cardImage,
  dbFreshness,
  entryForContainer,
  findingRows,
  formatAge,
  groupByImage,
  imageAge,
  imageSignature,
  initialImagesState,
  lintCounts,
  scanProgress,
  sortLint,
  toggleSort,
  vulnerabilityState,
  worstFinding,
} from '../../../renderer/src/state/images.js';
import type { ImagesState } from '../../../renderer/src/state/images.js';
import { isAllowedExternalUrl } from '../../../electron/shell/security.js';
import { alpineSampleReport } from '../../support/image-report.js';
import { id } from './fixtures.js';

const NOW = 1_764_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const IMG_A = `sha256:${'1'.repeat(64)}`;
const IMG_B = `sha256:${'2'.repeat(64)}`;

function entry(
  imageId: string,
  containers: ContainerId[],
  state: ImageStatusEntry['state'],
): ImageStatusEntry {
  return { imageId, refs: [], containers, state };
}

function loaded(entries: ImageStatusEntry[]): ImagesState {
  const { state, seq } = beginImagesRequest(initialImagesState);
  return applyImagesResult(state, seq, ok(entries));
}

describe('images:status answers', () => {
  it('ignores an answer overtaken by a newer one, keeps entries when the transport closes', () => {
    const first = beginImagesRequest(initialImagesState);
    const second = beginImagesRequest(first.state);
    const newer = applyImagesResult(
      second.state,
      second.seq,
      ok([entry(IMG_A, [id('a')], { phase: 'queued' })]),
    );
    expect(applyImagesResult(newer, first.seq, ok([]))).toBe(newer);
    const third = beginImagesRequest(newer);
    const closed = applyImagesResult(third.state, third.seq, err('transport-closed', 'gone'));
    expect(closed.entries).toBe(newer.entries);
    expect(closed.error?.code).toBe('transport-closed');
    const fourth = beginImagesRequest(closed);
    expect(applyImagesResult(fourth.state, fourth.seq, err('docker-unreachable', 'down')).entries).toBeNull();
  });

  it('does not set a scan back to queued when pushes moved it on while the request was in flight', () => {
    const state = loaded([entry(IMG_A, [id('a')], { phase: 'queued' })]);
    const { state: sent, seq } = beginImagesRequest(state);
    const moved = applyProgress(sent, {
      imageId: IMG_A,
      state: { phase: 'matching', bytes: 10, totalBytes: 10 },
    });
    const answered = applyImagesResult(moved, seq, ok([entry(IMG_A, [id('a')], { phase: 'queued' })]));
    expect(answered.entries?.[0]?.state.phase).toBe('matching');
    // A finished scan from the engine does replace it.
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    const next = beginImagesRequest(answered);
    const done = applyImagesResult(
      next.state,
      next.seq,
      ok([entry(IMG_A, [id('a')], { phase: 'done', report })]),
    );
    expect(done.entries?.[0]?.state.phase).toBe('done');
  });

  it('applies progress pushes to the listed image only', () => {
    const state = loaded([entry(IMG_A, [id('a')], { phase: 'queued' })]);
    const pushed = applyProgress(state, {
      imageId: IMG_A,
      state: { phase: 'exporting', bytes: 5, totalBytes: 10 },
    });
    expect(pushed.entries?.[0]?.state).toEqual({ phase: 'exporting', bytes: 5, totalBytes: 10 });
    expect(applyProgress(state, { imageId: IMG_B, state: { phase: 'queued' } })).toBe(state);
    expect(applyProgress(initialImagesState, { imageId: IMG_A, state: { phase: 'queued' } })).toBe(
      initialImagesState,
    );
  });

  it('a rescan answer becomes the state: the report, or the failure with its code', () => {
    const state = loaded([entry(IMG_A, [id('a')], { phase: 'queued' })]);
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    expect(applyScanResult(state, IMG_A, ok(report)).entries?.[0]?.state).toEqual({ phase: 'done', report });
    expect(applyScanResult(state, IMG_A, err('not-found', 'No such image')).entries?.[0]?.state).toEqual({
      phase: 'failed',
      error: { code: 'not-found', message: 'No such image' },
    });
    expect(applyScanResult(state, IMG_A, err('transport-closed', 'x'))).toBe(state);
  });

  it('db:status: a summary, "none imported" (null), or an error that keeps the last answer', () => {
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    const db = report.db;
    const withDb = applyDbResult(initialImagesState, ok(db));
    expect(withDb).toMatchObject({ db, dbKnown: true, dbError: null });
    expect(applyDbResult(withDb, ok(null))).toMatchObject({ db: null, dbKnown: true });
    expect(applyDbResult(withDb, err('internal', 'boom'))).toMatchObject({
      db,
      dbError: { code: 'internal' },
    });
  });
});

describe('containers and images', () => {
  const a = { id: id('a'), imageId: IMG_A };
  const b = { id: id('b'), imageId: IMG_A };
  const c = { id: id('c'), imageId: IMG_B };

  it('groups containers sharing an image into one group (one scan)', () => {
    expect(groupByImage([a, c, b])).toEqual([
      { imageId: IMG_A, containers: [id('a'), id('b')] },
      { imageId: IMG_B, containers: [id('c')] },
    ]);
  });

  it("finds a container's entry by image id, else by being listed in an entry", () => {
    const entries = [entry(IMG_A, [id('a'), id('b')], { phase: 'queued' })];
    expect(entryForContainer(entries, a)).toBe(entries[0]);
    expect(entryForContainer(entries, { id: id('b'), imageId: 'sha256:retagged' })).toBe(entries[0]);
    expect(entryForContainer(entries, c)).toBeNull();
    expect(entryForContainer(null, a)).toBeNull();
  });

  it('changes the signature only when a (container, image) pair changes', () => {
    expect(imageSignature([a, c])).toBe(imageSignature([c, a]));
    expect(imageSignature([a, c])).not.toBe(imageSignature([a, { ...c, imageId: IMG_A }]));
    expect(imageSignature(null)).toBe('');
  });
});

describe('the card row', () => {
  const a = { id: id('a'), imageId: IMG_A };

  it('loading, unavailable, missing', () => {
    expect(cardImage(initialImagesState, a, NOW)).toEqual({ kind: 'loading' });
    const { state, seq } = beginImagesRequest(initialImagesState);
    const failed = applyImagesResult(state, seq, err('docker-unreachable', 'Docker engine not reachable'));
    expect(cardImage(failed, a, NOW)).toEqual({
      kind: 'unavailable',
      message: 'Docker engine not reachable',
    });
    expect(cardImage(loaded([]), a, NOW)).toEqual({ kind: 'missing' });
  });

  it('scanning: phase text and fraction, and how many other containers share the image', () => {
    const state = loaded([
      entry(IMG_A, [id('a'), id('b')], {
        phase: 'exporting',
        bytes: 5 * 1024 * 1024,
        totalBytes: 20 * 1024 * 1024,
      }),
    ]);
    expect(cardImage(state, a, NOW)).toEqual({
      kind: 'scanning',
      progress: { text: 'Exporting image… 5.0 MB of 20.0 MB', fraction: 0.25 },
      shared: 1,
    });
  });

  it('failed: the code and message per image', () => {
    const state = loaded([
      entry(IMG_A, [id('a')], { phase: 'failed', error: { code: 'docker-error', message: 'export failed' } }),
    ]);
    expect(cardImage(state, a, NOW)).toEqual({
      kind: 'failed',
      code: 'docker-error',
      message: 'export failed',
      shared: 0,
    });
  });

  it('scanned with the real Alpine sample: 2 high (musl, musl-utils), worst musl, fresh DB', () => {
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 2 });
    const card = cardImage(loaded([entry(IMG_A, [id('a')], { phase: 'done', report })]), a, NOW);
    expect(card.kind).toBe('scanned');
    if (card.kind !== 'scanned') return;
    expect(card.vulnerabilities).toMatchObject({
      kind: 'matched',
      packages: 15,
      total: 2,
      counts: [{ severity: 'high', count: 2 }],
      fixable: 2,
    });
    if (card.vulnerabilities.kind !== 'matched') return;
    expect(card.vulnerabilities.worst?.package.name).toBe('musl');
    expect(card.vulnerabilities.worst?.advisoryId).toBe('ALPINE-CVE-2025-26519');
    expect(card.db).toMatchObject({ age: '2 days', stale: false });
    expect(card.age).toBeNull(); // the sample has no creation date
  });

  it('flags a DB older than seven days as stale, at the time of display', () => {
    const report = alpineSampleReport({ now: NOW, dbAgeDays: 6 });
    const state = loaded([entry(IMG_A, [id('a')], { phase: 'done', report })]);
    const now = cardImage(state, a, NOW);
    const later = cardImage(state, a, NOW + 2 * DAY);
    expect(now.kind === 'scanned' && now.db?.stale).toBe(false);
    expect(later.kind === 'scanned' && later.db).toMatchObject({ stale: true, age: '8 days' });
  });

  it('no advisory database: packages counted, nothing matched', () => {
    const report = alpineSampleReport({ now: NOW, dbAgeDays: null });
    expect(vulnerabilityState(report)).toEqual({ kind: 'no-advisory-db', packages: 15 });
  });

  it("no package database: says so with the engine's note", () => {
    const base = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    const report: ImageScanReport = {
      ...base,
      packageDb: { kind: null, packages: 0, skipped: 0, note: 'no package database found' },
      vulnerabilities: [],
    };
    expect(vulnerabilityState(report)).toEqual({ kind: 'no-package-db', text: 'no package database found' });
  });

  it('zero matches with a DB is "matched, 0" (shown as 0 known vulnerabilities), not an error', () => {
    const base = alpineSampleReport({ now: NOW, dbAgeDays: 1 });
    expect(vulnerabilityState({ ...base, vulnerabilities: [] })).toEqual({
      kind: 'matched',
      packages: 15,
      total: 0,
      counts: [],
      worst: null,
      fixable: 0,
    });
  });
});

describe('ages and progress', () => {
  it('formats ages in the largest whole unit', () => {
    expect(formatAge(30_000)).toBe('under a minute');
    expect(formatAge(5 * 60_000)).toBe('5 minutes');
    expect(formatAge(60 * 60_000)).toBe('1 hour');
    expect(formatAge(DAY)).toBe('1 day');
    expect(formatAge(412 * DAY + 5)).toBe('412 days');
  });

  it('image age from Created, toned by how long it went unpatched', () => {
    expect(imageAge({ createdAt: null, ageDays: null }, NOW)).toBeNull();
    expect(imageAge({ createdAt: null, ageDays: 3 }, NOW)).toEqual({
      days: 3,
      text: 'Built 3 days ago',
      tone: 'ok',
    });
    expect(imageAge({ createdAt: (NOW - 45 * DAY) as never, ageDays: 1 }, NOW)?.tone).toBe('warn');
    expect(imageAge({ createdAt: (NOW - 400 * DAY) as never, ageDays: 1 }, NOW)).toEqual({
      days: 400,
      text: 'Built 400 days ago',
      tone: 'bad',
    });
    expect(imageAge({ createdAt: NOW as never, ageDays: 0 }, NOW)?.text).toBe('Built today');
  });

  it('DB freshness: stale strictly after seven days', () => {
    expect(dbFreshness({ source: 's', importedAt: NOW - 7 * DAY }, NOW).stale).toBe(false);
    expect(dbFreshness({ source: 's', importedAt: NOW - 7 * DAY - 1 }, NOW).stale).toBe(true);
  });

  it('progress text per phase; indeterminate without a total', () => {
    expect(scanProgress({ phase: 'queued' })).toEqual({ text: 'Queued for scanning…', fraction: null });
    expect(scanProgress({ phase: 'exporting', bytes: 2048, totalBytes: null })).toEqual({
      text: 'Exporting image… 2.0 kB',
      fraction: null,
    });
    expect(scanProgress({ phase: 'reading', bytes: 10, totalBytes: 10 })?.fraction).toBe(1);
    expect(scanProgress({ phase: 'matching', bytes: 10, totalBytes: 10 })).toEqual({
      text: 'Matching advisories…',
      fraction: null,
    });
    expect(scanProgress({ phase: 'failed', error: { code: 'internal', message: 'x' } })).toBeNull();
  });
});

describe('the findings table', () => {
  const real = alpineSampleReport({ now: NOW, dbAgeDays: 1 }).vulnerabilities;
  const [musl, utils] = real as [AdvisoryFinding, AdvisoryFinding];
  // Variations of the real matches, so every severity and the unfixed case are in the table.
  const critical: AdvisoryFinding = {
    ...musl,
    advisoryId: 'TEST-0001',
    aliases: [],
    summary: '',
    package: { ...musl.package, name: 'zlib' },
    severity: { level: 'critical', score: 9.8, basis: 'test input' },
    fixedVersion: null,
  };
  const low: AdvisoryFinding = {
    ...utils,
    advisoryId: 'TEST-0002',
    aliases: [],
    summary: '',
    package: { ...utils.package, name: 'apk-tools' },
    severity: { level: 'low', score: 3.1, basis: 'test input' },
  };
  const all = [low, utils, critical, musl];
  const names = (rows: readonly AdvisoryFinding[]): string[] => rows.map((r) => r.package.name);

  it('sorts by severity worst first by default, then by package', () => {
    expect(names(findingRows(all, DEFAULT_FINDING_SORT, NO_FINDING_FILTER))).toEqual([
      'zlib',
      'musl',
      'musl-utils',
      'apk-tools',
    ]);
    expect(names(findingRows(all, { key: 'severity', dir: 'desc' }, NO_FINDING_FILTER))[0]).toBe('apk-tools');
  });

  it('sorts by package, advisory and fixed version (unfixed last ascending)', () => {
    expect(names(findingRows(all, { key: 'package', dir: 'asc' }, NO_FINDING_FILTER))).toEqual([
      'apk-tools',
      'musl',
      'musl-utils',
      'zlib',
    ]);
    expect(names(findingRows(all, { key: 'package', dir: 'desc' }, NO_FINDING_FILTER))).toEqual([
      'zlib',
      'musl-utils',
      'musl',
      'apk-tools',
    ]);
    expect(
      findingRows(all, { key: 'advisory', dir: 'asc' }, NO_FINDING_FILTER).map((r) => r.advisoryId),
    ).toEqual(['ALPINE-CVE-2025-26519', 'ALPINE-CVE-2025-26519', 'TEST-0001', 'TEST-0002']);
    expect(names(findingRows(all, { key: 'fixed', dir: 'asc' }, NO_FINDING_FILTER)).at(-1)).toBe('zlib');
  });

  it('filters by text (package, advisory, alias) and fixable only', () => {
    expect(names(findingRows(all, DEFAULT_FINDING_SORT, { text: 'UTILS', fixableOnly: false }))).toEqual([
      'musl-utils',
    ]);
    expect(
      findingRows(all, DEFAULT_FINDING_SORT, { text: 'cve-2025-26519', fixableOnly: false }),
    ).toHaveLength(2);
    expect(names(findingRows(all, DEFAULT_FINDING_SORT, { text: '', fixableOnly: true }))).not.toContain(
      'zlib',
    );
    expect(findingRows(all, DEFAULT_FINDING_SORT, { text: 'nothing-like-this', fixableOnly: false })).toEqual(
      [],
    );
  });

  it('toggles direction on the same column and starts ascending on another', () => {
    expect(toggleSort({ key: 'package', dir: 'asc' }, 'package')).toEqual({ key: 'package', dir: 'desc' });
    expect(toggleSort({ key: 'package', dir: 'desc' }, 'severity')).toEqual({ key: 'severity', dir: 'asc' });
  });

  it('worst finding prefers severity, then score, then a known fix', () => {
    expect(worstFinding(all)?.package.name).toBe('zlib');
    expect(worstFinding([])).toBeNull();
  });

  it('links advisory ids to osv.dev, refusing anything that is not a plain id', () => {
    expect(advisoryUrl('ALPINE-CVE-2025-26519')).toBe('https://osv.dev/vulnerability/ALPINE-CVE-2025-26519');
    expect(advisoryUrl('DLA-3008-1')).toBe('https://osv.dev/vulnerability/DLA-3008-1');
    expect(advisoryUrl('../../evil')).toBeNull();
    expect(advisoryUrl('javascript:alert(1)')).toBeNull();
    // A colon is allowed in ids; it stays inside the osv.dev path.
    expect(advisoryUrl('javascript:x')).toBe('https://osv.dev/vulnerability/javascript%3Ax');
    expect(advisoryUrl('a b')).toBeNull();
    // The desktop app's window-open handler lets these through to the user's browser.
    expect(isAllowedExternalUrl(advisoryUrl('DLA-3008-1') ?? '')).toBe(true);
    expect(advisoryUrl('')).toBeNull();
  });
});

describe('lint', () => {
  const lint = (
    id: string,
    status: ImageLintFinding['status'],
    severity: ImageLintFinding['severity'],
  ): ImageLintFinding => ({
    id,
    reference: null,
    title: id,
    severity,
    status,
    message: '',
    evidence: [],
  });

  it('sorts fail, warn, info, pass, then by severity, and counts per status', () => {
    const items = [
      lint('p', 'pass', 'high'),
      lint('w', 'warn', 'low'),
      lint('f1', 'fail', 'medium'),
      lint('f2', 'fail', 'high'),
    ];
    expect(sortLint(items).map((l) => l.id)).toEqual(['f2', 'f1', 'w', 'p']);
    expect(lintCounts(items)).toEqual({ fail: 2, warn: 1, info: 0, pass: 1 });
  });
});
