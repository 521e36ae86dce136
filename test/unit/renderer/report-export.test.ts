import { describe, expect, it } from 'vitest';

import type { ContainerId } from '../../../shared/domain/ids.js';
import {
  applyExportResult,
  applyProgress,
  beginExport,
  defaultReportPath,
  exportFailedTitle,
  exportRequest,
  formProblem,
  initialForm,
  isReportShortcut,
  newExportId,
  progressView,
  resultText,
  toggleContainer,
  toggleSection,
  withFormat,
} from '../../../renderer/src/state/report-export.js';
import type { ReportExportState } from '../../../renderer/src/state/report-export.js';

const NOW = new Date(2026, 11, 3, 19, 7);
const [a, b, c] = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)] as ContainerId[];
const ALL = [a!, b!, c!];

const idle = (): ReportExportState => ({
  open: true,
  form: initialForm(NOW),
  run: { phase: 'idle' },
  reveal: { phase: 'idle' },
});

const key = (over: Partial<Parameters<typeof isReportShortcut>[0]> = {}) => ({
  key: 'e',
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  typing: false,
  inDialog: false,
  ...over,
});

describe('the report export form', () => {
  it('starts with every container and section, the last 5 minutes, PDF in the home directory', () => {
    expect(initialForm(NOW)).toEqual({
      containers: null,
      sections: ['posture', 'images', 'syscalls', 'seccomp', 'anomalies'],
      windowSeconds: 300,
      format: 'pdf',
      path: '~/bulkhead-report-20261203-1907.pdf',
      pathEdited: false,
    });
    expect(defaultReportPath('sarif', NOW)).toBe('~/bulkhead-report-20261203-1907.sarif');
  });

  it('lets a default path follow the format, and only swaps the extension of a typed one', () => {
    expect(withFormat(initialForm(NOW), 'html', NOW).path).toBe('~/bulkhead-report-20261203-1907.html');
    const typed = { ...initialForm(NOW), path: '/srv/out/weekly.pdf', pathEdited: true };
    expect(withFormat(typed, 'json', NOW).path).toBe('/srv/out/weekly.json');
    const odd = { ...typed, path: '/srv/out/weekly' };
    expect(withFormat(odd, 'json', NOW).path).toBe('/srv/out/weekly');
  });

  it('turns "all" into every other container when one is unticked; ticked again, the list stays explicit', () => {
    expect(toggleContainer(null, b!, ALL)).toEqual([a, c]);
    expect(toggleContainer([a!, c!], b!, ALL)).toEqual([a, b, c]);
    expect(toggleContainer([a!], a!, ALL)).toEqual([]);
    expect(toggleSection(['posture', 'images'], 'posture')).toEqual(['images']);
    expect(toggleSection(['images'], 'posture')).toEqual(['posture', 'images']);
  });

  it('says what is missing before it can export', () => {
    expect(formProblem(initialForm(NOW), ALL)).toBeNull();
    expect(formProblem({ ...initialForm(NOW), containers: [] }, ALL)).toBe('Pick at least one container.');
    // A ticked container that is gone since does not count.
    expect(formProblem({ ...initialForm(NOW), containers: ['d'.repeat(64) as ContainerId] }, ALL)).toBe(
      'Pick at least one container.',
    );
    expect(formProblem({ ...initialForm(NOW), sections: [] }, ALL)).toBe('Pick at least one section.');
    expect(formProblem({ ...initialForm(NOW), path: '  ' }, ALL)).toBe('Say where to write the file.');
  });

  it('sends the choices with the running subscriptions', () => {
    const form = { ...initialForm(NOW), containers: [a!, 'gone' as ContainerId], windowSeconds: null };
    expect(exportRequest(form, 'x1', ALL, { syscallsSubId: 's-1', anomalySubId: null })).toEqual({
      containers: [a],
      sections: ['posture', 'images', 'syscalls', 'seccomp', 'anomalies'],
      syscallsSubId: 's-1',
      format: 'pdf',
      path: '~/bulkhead-report-20261203-1907.pdf',
      exportId: 'x1',
    });
    expect(exportRequest(initialForm(NOW), 'x2', ALL, { syscallsSubId: null, anomalySubId: 'a-1' })).toEqual({
      sections: ['posture', 'images', 'syscalls', 'seccomp', 'anomalies'],
      windowSeconds: 300,
      anomalySubId: 'a-1',
      format: 'pdf',
      path: '~/bulkhead-report-20261203-1907.pdf',
      exportId: 'x2',
    });
  });

  it('makes export ids the schema accepts', () => {
    const id = newExportId((bytes) => bytes.fill(255));
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
    expect(id).toHaveLength(22);
  });

  it('opens on e only, not while typing, over a dialog or with a modifier', () => {
    expect(isReportShortcut(key())).toBe(true);
    expect(isReportShortcut(key({ key: 'E' }))).toBe(true);
    expect(isReportShortcut(key({ key: 'r' }))).toBe(false);
    expect(isReportShortcut(key({ typing: true }))).toBe(false);
    expect(isReportShortcut(key({ inDialog: true }))).toBe(false);
    expect(isReportShortcut(key({ ctrlKey: true }))).toBe(false);
    expect(isReportShortcut(key({ key: 'p' }))).toBe(false);
  });
});

describe('an export in flight', () => {
  const push = (exportId: string, done: number) => ({
    exportId,
    phase: 'rendering' as const,
    message: 'printing the PDF',
    done,
    total: 4,
  });

  it('follows its own progress pushes and ignores other exports', () => {
    let state = beginExport(idle(), 'mine');
    state = applyProgress(state, push('other', 1));
    expect(state.run).toEqual({ phase: 'running', exportId: 'mine', progress: null });
    state = applyProgress(state, push('mine', 3));
    expect(state.run.phase === 'running' ? state.run.progress?.done : null).toBe(3);
    expect(progressView(push('mine', 3))).toEqual({
      text: 'Rendering: printing the PDF (3 of 4)',
      fraction: 0.75,
    });
    expect(progressView(null)).toEqual({ text: 'Starting…', fraction: null });
    expect(progressView({ ...push('m', 0), total: 0, phase: 'gathering', message: '' })).toEqual({
      text: 'Gathering',
      fraction: null,
    });
  });

  it('takes its own answer, ignores a stale one, and words the result and the failure', () => {
    const running = beginExport(idle(), 'mine');
    const value = {
      path: '/root/r.pdf',
      format: 'pdf' as const,
      bytes: 421_000,
      pages: 14,
      durationMs: 3_210,
    };
    expect(applyExportResult(running, 'old', { ok: true, value })).toBe(running);
    const done = applyExportResult(running, 'mine', { ok: true, value });
    expect(done.run).toEqual({ phase: 'done', exportId: 'mine', result: value });
    expect(resultText(value)).toBe('PDF, 411.1 kB, 14 pages, in 3.2 s');
    expect(resultText({ ...value, format: 'json', pages: null, bytes: 900 })).toBe('JSON, 900 B, in 3.2 s');
    const failed = applyExportResult(running, 'mine', {
      ok: false,
      error: { code: 'chromium-missing', message: 'No Chromium at /usr/bin/chromium' },
    });
    expect(failed.run.phase).toBe('failed');
    expect(exportFailedTitle('chromium-missing')).toBe('Chromium is needed for PDF and HTML reports');
    expect(exportFailedTitle('write-failed')).toBe('The report could not be written');
  });
});
