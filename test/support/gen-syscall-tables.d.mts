/** Generate table-x86_64.ts and table-aarch64.ts into `outDir` from the kernel headers; returns the paths written. */
export function generate(outDir: string): string[];
