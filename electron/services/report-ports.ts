import type { Report } from '../../shared/domain/report/model.js';

/**
 * What the report service needs from the outside: a renderer (a Report in, the document's bytes out), a
 * file writer, and the desktop's file manager.
 *
 * The renderer is implemented headless with Chromium through playwright-core
 * (electron/adapters/report/chromium-renderer.ts) and in the desktop app with a hidden window and
 * `webContents.printToPDF` (electron/shell).
 */

/** A rendered report: the file's bytes and, for a PDF, its page count (null when not counted). */
export interface RenderedReport {
  readonly bytes: Uint8Array;
  readonly pages: number | null;
}

/** Renders a Report as a standalone HTML document or as a PDF. */
export interface ReportRendererPort {
  /**
   * A standalone HTML document (no scripts, styles inlined) or a PDF of the report. `onProgress` gets
   * short sentences while it works ("starting Chromium", "printing 14 pages").
   */
  render(
    report: Report,
    format: 'html' | 'pdf',
    onProgress?: (message: string) => void,
  ): Promise<RenderedReport>;
  /** Release the browser or window it holds; a later render starts a new one. */
  dispose?(): Promise<void>;
}

/** Shows a file in the desktop's file manager; false where there is none to ask (browser mode, CLI). */
export interface RevealPort {
  reveal(path: string): Promise<boolean>;
}

/**
 * Writes an exported file atomically (a temporary file in the same directory, then a rename) and answers
 * its absolute path. Fails with `write-failed` naming the errno (ENOSPC …), leaving an existing file as it
 * was, or `bad-request` for a target that is not a regular file.
 */
export interface ReportFilePort {
  write(path: string, bytes: Uint8Array): Promise<string>;
}
