import { fileURLToPath } from 'node:url';

/**
 * The real advisory and package-database samples, read in place from the shared data folder beside the
 * repository (see ../shared/data/README.md): never copied into the repo.
 */
export const VULN_DATA = fileURLToPath(new URL('../../../../shared/data/vuln/', import.meta.url));

/** A file in ../shared/data/vuln/pkgdb/. */
export const pkgdb = (name: string): string => `${VULN_DATA}pkgdb/${name}`;

/** A file in ../shared/data/vuln/osv/. */
export const osvFile = (name: string): string => `${VULN_DATA}osv/${name}`;
