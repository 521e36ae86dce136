import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  REPORT_ORIGIN,
  isReportFileUrl,
  pageFile,
  reportPageUrl,
} from '../../../electron/adapters/report/page-files.js';
import {
  escapeTemplateText,
  footerTemplate,
  marginsInInches,
} from '../../../electron/adapters/report/pdf-layout.js';
import { countPdfPages } from '../../../electron/adapters/report/pdf-pages.js';
import { standaloneHtml } from '../../../electron/adapters/report/standalone-html.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';

const AT = Date.parse('2026-12-03T19:07:49Z') as EpochMillis;

describe('the PDF layout', () => {
  it('puts "Page X of Y" in the footer, and DEMO DATA on every page of a demo report', () => {
    const live = footerTemplate({ generatedAt: AT, source: { kind: 'live' } });
    expect(live).toContain('Bulkhead report · 2026-12-03 19:07 UTC');
    expect(live).toContain('Page <span class="pageNumber"></span> of <span class="totalPages"></span>');
    expect(live).not.toContain('DEMO DATA');
    const demo = footerTemplate({
      generatedAt: AT,
      source: { kind: 'demo', recordedAt: AT, recordedOn: '<b>x</b>', reason: '<script>' },
    });
    expect(demo).toContain('DEMO DATA');
    // Nothing from the source's strings goes into the template.
    expect(demo).not.toContain('<b>x');
    expect(demo).not.toContain('<script>');
  });

  it('escapes template text and converts the margins to inches', () => {
    expect(escapeTemplateText(`<a href="x">'&'</a>`)).toBe(
      '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;',
    );
    expect(marginsInInches()).toEqual({ top: 0.551, right: 0.551, bottom: 0.63, left: 0.551 });
  });

  it('counts pages from the page tree, falls back to page objects, and says null when it cannot tell', () => {
    const pdf = (body: string): Uint8Array => new TextEncoder().encode(`%PDF-1.4\n${body}\n%%EOF`);
    expect(
      countPdfPages(
        pdf(
          '1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 12 >> endobj 2 0 obj << /Type /Pages /Count 7 /Parent 1 0 R >> endobj',
        ),
      ),
    ).toBe(12);
    expect(countPdfPages(pdf('3 0 obj << /Type /Page /Parent 1 0 R >> 4 0 obj <</Type/Page>>'))).toBe(2);
    expect(countPdfPages(pdf('5 0 obj << /Type /ObjStm /N 3 >> stream … endstream'))).toBeNull();
  });
});

describe('the report page files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bh-page-files-'));
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(join(dir, 'renderer', 'report.html'), '<!doctype html>');
    await writeFile(join(dir, 'renderer', 'assets', 'a.js'), 'export {}');
    await writeFile(join(dir, 'secret.css'), 'body{}');
    await symlink(join(dir, 'secret.css'), join(dir, 'renderer', 'assets', 'link.css'));
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('answers only the page’s own files under the made-up origin', async () => {
    const root = join(dir, 'renderer');
    expect(reportPageUrl(join(root, 'report.html'))).toBe(`${REPORT_ORIGIN}/report.html`);
    expect((await pageFile(root, `${REPORT_ORIGIN}/report.html`))?.contentType).toBe(
      'text/html; charset=utf-8',
    );
    expect((await pageFile(root, `${REPORT_ORIGIN}/assets/a.js`))?.body.toString()).toBe('export {}');
    for (const url of [
      'https://example.com/report.html',
      'http://report.bulkhead.invalid/report.html',
      `${REPORT_ORIGIN}/../secret.css`,
      `${REPORT_ORIGIN}/%2e%2e/secret.css`,
      `${REPORT_ORIGIN}/assets/link.css`,
      `${REPORT_ORIGIN}/assets/missing.js`,
      `${REPORT_ORIGIN}/assets/a.exe`,
      `${REPORT_ORIGIN}/`,
      'not a url',
    ])
      expect(await pageFile(root, url), url).toBeNull();
  });
});

describe('the desktop report window’s request filter', () => {
  it('lets through the page’s own files from disk and nothing else', () => {
    const dir = '/app/dist/renderer';
    expect(isReportFileUrl('file:///app/dist/renderer/report.html', dir)).toBe(true);
    expect(isReportFileUrl('file:///app/dist/renderer/assets/report-x.js', dir)).toBe(true);
    for (const url of [
      'file:///app/dist/renderer/../secret.css',
      'file:///app/dist/renderer/%2e%2e/secret.css',
      'file:///app/dist/renderer-other/a.js',
      'file:///etc/passwd',
      'file://evil.example/app/dist/renderer/report.html',
      'file:///app/dist/renderer/assets/a.exe',
      'file:///app/dist/renderer',
      'https://example.com/x.js',
      'http://127.0.0.1:1/report.html',
      'data:text/html,<script>1</script>',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
    ])
      expect(isReportFileUrl(url, dir), url).toBe(false);
  });
});

describe('the standalone HTML', () => {
  it('inlines the stylesheet under a hash-only CSP and has no script', async () => {
    const html = standaloneHtml({ title: 'R <1>', css: 'body{color:red}', body: '<p>&lt;script&gt;</p>' });
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update('body{color:red}').digest('base64');
    expect(html).toContain(`default-src 'none'; style-src 'sha256-${hash}'`);
    expect(html).toContain('<style>body{color:red}</style>');
    expect(html).toContain('<title>R &#60;1&#62;</title>');
    expect(html).not.toMatch(/<script/i);
  });

  it('refuses markup with a script element, and a stylesheet cannot close its style element', () => {
    expect(() => standaloneHtml({ title: 't', css: '', body: '<div><script>x()</script></div>' })).toThrow(
      /script element/,
    );
    expect(standaloneHtml({ title: 't', css: 'a{}</style><script>', body: '' })).not.toContain(
      '</style><script>',
    );
  });
});
