import { readFile } from 'node:fs/promises';

import { downloadOsvDump, offlineHint } from '../adapters/advisories/osv-download.js';
import type { ImportReport } from '../adapters/advisories/osv-store.js';
import { createExternalScanners } from '../adapters/images/external-scanners.js';
import { createAdvisoryStore } from '../composition.js';
import { writeTextAtomic } from '../adapters/files/atomic-write.js';
import type { DbImportOutcome, ImageCliDeps } from './images.js';

export { writeTextAtomic } from '../adapters/files/atomic-write.js';

/**
 * The CLI's image-findings dependencies: the advisory store in the data directory, osv.dev downloads,
 * other scanners on PATH, and atomic file writes.
 */

function outcome(r: ImportReport): DbImportOutcome {
  return {
    source: r.source,
    imported: r.imported.map((i) => ({ base: i.base, records: i.records })),
    filesRead: r.filesRead,
    invalid: r.invalid,
    withdrawn: r.withdrawn,
    problems: r.problems,
  };
}

/** Build the CLI's image dependencies for this environment. */
export function createImageCliDeps(
  version: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { readonly osvBaseUrl?: string; readonly connectTimeoutMs?: number } = {},
): ImageCliDeps {
  const store = createAdvisoryStore(env);
  return {
    importDb: async (path, { skipInvalid }) => outcome(await store.importFrom(path, { skipInvalid })),
    async updateDb(ecosystems, log) {
      const out: DbImportOutcome[] = [];
      for (const ecosystem of ecosystems) {
        log(`downloading ${ecosystem} advisories from osv.dev …`);
        const dump = await downloadOsvDump(ecosystem, {
          ...(options.osvBaseUrl !== undefined ? { baseUrl: options.osvBaseUrl } : {}),
          ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        });
        try {
          log(`downloaded ${dump.bytes} bytes; importing …`);
          out.push(outcome(await store.importFrom(dump.path)));
        } catch (e) {
          throw new Error(
            `${e instanceof Error ? e.message : String(e)}. ${offlineHint(ecosystem, options.osvBaseUrl)}`,
            { cause: e },
          );
        } finally {
          await dump.cleanup();
        }
      }
      return out;
    },
    readText: (path) => readFile(path, 'utf8'),
    writeTextAtomic,
    scanners: createExternalScanners(),
    tool: { name: 'Bulkhead', version },
  };
}
