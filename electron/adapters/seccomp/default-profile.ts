import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { DefaultProfilePort } from '../../services/seccomp-service.js';

/** The environment variable that names Docker's default seccomp profile (moby's profiles/seccomp/default.json). */
export const DEFAULT_PROFILE_ENV = 'BULKHEAD_SECCOMP_DEFAULT';

/** Largest profile file read (Docker's default is about 20 kB). */
const MAX_PROFILE_BYTES = 4 * 1024 * 1024;

/**
 * Docker's default seccomp profile, from the file `BULKHEAD_SECCOMP_DEFAULT` names.
 *
 * Bulkhead does not ship a copy of moby's profile, and the engine API does not hand it out (dockerd compiles
 * it in); so the comparison with the default needs the file, e.g. from a checkout of moby or the
 * `golang-github-docker-docker-dev` package. Without it the comparison says so; generation still works.
 */
export function createDefaultProfileFile(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DefaultProfilePort {
  return {
    async read() {
      const named = env[DEFAULT_PROFILE_ENV];
      if (named === undefined || named.trim() === '')
        return {
          unavailable: `Docker's default seccomp profile is not bundled: set ${DEFAULT_PROFILE_ENV} to moby's profiles/seccomp/default.json to compare with it.`,
        };
      const path = resolve(named);
      try {
        const info = await stat(path);
        if (!info.isFile()) return { unavailable: `${DEFAULT_PROFILE_ENV}: ${path} is not a regular file.` };
        if (info.size > MAX_PROFILE_BYTES)
          return {
            unavailable: `${DEFAULT_PROFILE_ENV}: ${path} is larger than ${MAX_PROFILE_BYTES} bytes.`,
          };
        return { path, text: await readFile(path, 'utf8') };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        return { unavailable: `${DEFAULT_PROFILE_ENV}: cannot read ${path} (${code}).` };
      }
    },
  };
}
