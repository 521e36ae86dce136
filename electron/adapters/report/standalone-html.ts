import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';

import { BulkheadError } from '../../../shared/ipc/result.js';

/**
 * The HTML export: one self-contained document — the rendered report's markup and the page's stylesheets
 * inlined — that opens anywhere, offline, and cannot run anything: it has no script element, and its CSP
 * allows no script at all and only the one inline stylesheet (by hash).
 */

/** The stylesheets the built report page links, concatenated in document order. */
export async function reportStylesheets(reportPagePath: string): Promise<string> {
  const html = await readFile(reportPagePath, 'utf8');
  const root = dirname(reportPagePath);
  const sheets: string[] = [];
  for (const m of html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*>/g)) {
    const href = /\bhref="([^"]+)"/.exec(m[0])?.[1];
    if (href === undefined) continue;
    const path = resolve(root, href);
    if (relative(root, path).startsWith('..')) continue;
    sheets.push(await readFile(path, 'utf8'));
  }
  if (sheets.length === 0) throw new BulkheadError('internal', `${reportPagePath} links no stylesheet`);
  return sheets.join('\n');
}

/** A script element in serialized markup: never expected (React writes text, not markup). */
const SCRIPT = /<script[\s/>]/i;

/** The standalone document. `body` is the page's serialized markup; `title` is plain text. */
export function standaloneHtml(parts: {
  readonly title: string;
  readonly css: string;
  readonly body: string;
}): string {
  if (SCRIPT.test(parts.body))
    throw new BulkheadError(
      'internal',
      'the rendered report contains a script element; refusing to export it',
    );
  // A stylesheet never needs to close the style element; if one did, it could inject markup.
  const css = parts.css.replace(/<\/style/gi, '<\\/style');
  const hash = createHash('sha256').update(css, 'utf8').digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = parts.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8" />',
    `<meta http-equiv="Content-Security-Policy" content="${csp}" />`,
    '<meta name="referrer" content="no-referrer" />',
    '<meta name="color-scheme" content="light" />',
    '<meta name="generator" content="Bulkhead" />',
    `<title>${title}</title>`,
    `<style>${css}</style>`,
    '</head>',
    `<body class="report-page"><div id="root">${parts.body}</div></body>`,
    '</html>',
    '',
  ].join('\n');
}
