import { readFile, realpath } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The files of the built report page (dist/renderer/report.html and the assets it loads), read from disk for
 * the headless renderer, which serves them under a made-up origin so nothing else can be fetched.
 */

/** The origin the report page is served under; `.invalid` never resolves, and every request is routed. */
export const REPORT_ORIGIN = 'https://report.bulkhead.invalid';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** One file of the page, or null when the URL is not one of the page's own files. */
export async function pageFile(
  pageDir: string,
  url: string,
): Promise<{ readonly body: Buffer; readonly contentType: string } | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== REPORT_ORIGIN) return null;
  const type = TYPES[extname(parsed.pathname)];
  if (type === undefined) return null;
  let path: string;
  try {
    const root = await realpath(pageDir);
    path = await realpath(resolve(root, `.${decodeURIComponent(parsed.pathname)}`));
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`) || resolve(root, rel) !== path)
      return null;
  } catch {
    return null;
  }
  try {
    return { body: await readFile(path), contentType: type };
  } catch {
    return null;
  }
}

/** The page's URL under REPORT_ORIGIN. */
export function reportPageUrl(reportPagePath: string): string {
  return `${REPORT_ORIGIN}/${encodeURIComponent(reportPagePath.split(/[\\/]/).at(-1) ?? 'report.html')}`;
}

/** The directory the page's relative asset URLs resolve against. */
export function reportPageDir(reportPagePath: string): string {
  return dirname(reportPagePath);
}

/**
 * Whether a `file:` URL names a file inside the page's directory (the desktop report window loads the page
 * from disk and may fetch nothing else). Anything that is not a `file:` URL is refused.
 */
export function isReportFileUrl(url: string, pageDir: string): boolean {
  let path: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) return false;
    path = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const rel = relative(resolve(pageDir), resolve(path));
  return (
    rel !== '' && !rel.startsWith('..') && !rel.includes(`..${sep}`) && TYPES[extname(path)] !== undefined
  );
}
