import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { mapInspect as mapSummary } from '../../../electron/adapters/docker/map-inspect.js';
import { createReportFiles } from '../../../electron/adapters/files/report-files.js';
import { parseReportArgs } from '../../../electron/cli/report.js';
import type { CliDeps } from '../../../electron/cli/run.js';
import { ExitCode, runCli, USAGE } from '../../../electron/cli/run.js';
import { createAppCore } from '../../../electron/services/app-core-impl.js';
import type { ReportRendererPort } from '../../../electron/services/report-ports.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { Report } from '../../../shared/domain/report/model.js';
import { createFakeEngine } from '../../support/fake-engine.js';
import type { FakeEngine } from '../../support/fake-engine.js';
import { reportValidator, schemaErrors } from '../../support/report-schema.js';
import { loadInspect } from '../posture/fixtures.js';

// `bulkhead report` through runCli over the real app core and dispatcher; the engine is the fake one (a
// test double holding two recorded inspect documents), the renderer a stub that says what it was asked.

/** expect.objectContaining, typed (it returns `any`). */
const objectContaining = (o: Record<string, unknown>): unknown => expect.objectContaining(o) as unknown;

describe('parseReportArgs', () => {
  const cwd = '/work/here';
  it.each([
    [['--format', 'json', '--out', 'r.json'], { format: 'json', out: '/work/here/r.json', containers: null }],
    [
      [
        '--format',
        'sarif',
        '--out',
        '/tmp/x.sarif',
        '--containers',
        'web, db,',
        '--sections',
        'posture,images',
      ],
      { containers: ['web', 'db'], sections: ['posture', 'images'], out: '/tmp/x.sarif' },
    ],
    [
      ['--format', 'pdf', '--out', 'a.pdf', '--fail-on', 'critical', '--demo'],
      { failOn: 'critical', demo: true },
    ],
    [
      ['--format', 'html', '--out', 'a.html', '--source', 'capture:c.scap'],
      {
        watch: objectContaining({
          source: { kind: 'sysdig-capture', path: '/work/here/c.scap', speed: 'max' },
        }),
      },
    ],
    [
      ['--format', 'json', '--out', 'a', '--source', 'bpf', '--duration', '2s'],
      { watch: objectContaining({ source: { kind: 'bpf' }, durationMs: 2000 }) },
    ],
  ])('%j', (args, expected) => {
    expect(parseReportArgs(args, cwd)).toMatchObject({ ok: true, ...expected });
  });

  it.each([
    [['--out', 'r.json'], /--format must be one of pdf, html, json, sarif/],
    [['--format', 'xml', '--out', 'r'], /--format must be one of/],
    [['--format', 'json'], /--out FILE is required/],
    [['--format', 'json', '--out', 'r', '--sections', 'posture,kernel'], /--sections takes .*"kernel"/],
    [['--format', 'json', '--out', 'r', '--fail-on', 'medium'], /--fail-on must be one of high, critical/],
    [['--format', 'json', '--out', 'r', '--duration', '5s'], /--duration needs --source/],
    [['--format', 'json', '--out', 'r', '--source', 'tcp:x'], /--source must be/],
    [['--format', 'json', '--out', 'r', '--containers', ','], /at least one/],
    [['--format', 'json', '--out', 'r', 'extra'], /no positional arguments/],
  ])('%j is refused', (args, message) => {
    const r = parseReportArgs(args, cwd);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(message);
  });
});

describe('bulkhead report', () => {
  let dir: string;
  let engine: FakeEngine;
  let rendered: string[];
  let out: string[];
  let err: string[];

  const renderer: ReportRendererPort = {
    render(report, format) {
      rendered.push(`${format}:${report.containers.map((c) => c.name).join(',')}`);
      return Promise.resolve({
        bytes: new TextEncoder().encode(`<${format}>`),
        pages: format === 'pdf' ? 2 : null,
      });
    },
  };

  const deps = (): CliDeps => ({
    version: '0.0.1',
    createCore: () =>
      createAppCore({
        engine,
        demo: { load: () => Promise.resolve(null) },
        clock: systemClock,
        mode: 'cli',
        version: '0.0.1',
        onError: () => undefined,
      }),
    recordDemo: () => Promise.reject(new Error('not used')),
    runWeb: () => Promise.reject(new Error('not used')),
    now: () => Date.now(),
    report: { renderer: () => renderer, files: createReportFiles() },
  });
  const run = (...args: string[]): Promise<number> =>
    runCli(['report', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) }, deps());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bh-cli-report-'));
    engine = createFakeEngine();
    for (const name of ['privileged', 'hardened'] as const) {
      const inspect = loadInspect(name);
      const mapped = mapSummary(inspect);
      if (!mapped.ok) throw new Error(mapped.message);
      engine.containers.push(mapped.summary);
      engine.documents.set(mapped.summary.id, inspect);
    }
    rendered = [];
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a schema-valid JSON report of the containers named, progress on stderr, exit 0', async () => {
    const path = join(dir, 'r.json');
    expect(await run('--format', 'json', '--out', path, '--containers', 'bulkhead-posture-hardened')).toBe(
      ExitCode.ok,
    );
    const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
    const validate = reportValidator();
    expect(validate(report), schemaErrors(validate)).toBe(true);
    expect(report.containers.map((c) => c.name)).toEqual(['bulkhead-posture-hardened']);
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^wrote ${path} \\(json, \\d+ bytes\\): 1 container, host \\d+/100$`)),
    ]);
    expect(err[0]).toMatch(/^report: gathering posture/);
    expect(rendered).toEqual([]);
  });

  it('--fail-on: exit 3 with the reasons after writing; 0 when nothing reaches the level', async () => {
    const path = join(dir, 'r.sarif');
    const code = await run(
      '--format',
      'sarif',
      '--out',
      path,
      '--sections',
      'posture',
      '--fail-on',
      'critical',
    );
    expect(code).toBe(ExitCode.findings);
    expect(readFileSync(path, 'utf8')).toContain('"version": "2.1.0"');
    expect(err).toContain(
      '  bulkhead-posture-privileged: critical check failed: Not privileged (privileged)',
    );
    err = [];
    const ok = await run(
      '--format',
      'json',
      '--out',
      path,
      '--sections',
      'posture',
      '--containers',
      'bulkhead-posture-hardened',
      '--fail-on',
      'critical',
    );
    expect(ok).toBe(ExitCode.ok);
  });

  it('PDF and HTML through the renderer; an unknown container exits 1; bad usage exits 2', async () => {
    expect(await run('--format', 'pdf', '--out', join(dir, 'r.pdf'), '--sections', 'posture')).toBe(
      ExitCode.ok,
    );
    expect(readFileSync(join(dir, 'r.pdf'), 'utf8')).toBe('<pdf>');
    expect(out.at(-1)).toMatch(/\(pdf, 5 bytes, 2 pages\)/);
    expect(rendered).toEqual(['pdf:bulkhead-posture-hardened,bulkhead-posture-privileged']);
    expect(await run('--format', 'json', '--out', join(dir, 'x.json'), '--containers', 'nope')).toBe(
      ExitCode.failed,
    );
    expect(err.at(-1)).toBe('bulkhead: no such container: "nope" [not-found]');
    expect(await run('--format', 'json')).toBe(ExitCode.usage);
  });

  it('a target that is not a regular file is refused and left alone', async () => {
    expect(await run('--format', 'json', '--out', dir, '--sections', 'posture')).toBe(ExitCode.failed);
    expect(err.at(-1)).toMatch(/is not a regular file .* \[bad-request\]$/);
  });

  it('is in the usage text with its exit code', () => {
    expect(USAGE).toContain('report --format pdf|html|json|sarif --out FILE');
    expect(USAGE).toMatch(/3 posture, image or report findings at or above --fail-on/);
  });
});
