/**
 * The page count of a PDF Chromium wrote, read from its page tree: the largest `/Count` of a `/Type /Pages`
 * node is the root's (Skia writes page objects uncompressed). Falls back to counting `/Type /Page` objects;
 * null when neither is found (e.g. a PDF with compressed object streams, which Chromium does not write).
 */
export function countPdfPages(bytes: Uint8Array): number | null {
  // latin1 keeps every byte as one character, so the binary streams cannot break the regular expressions.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let root = 0;
  for (const m of text.matchAll(/<<((?:(?!<<|>>)[\s\S])*?\/Type\s*\/Pages\b(?:(?!<<|>>)[\s\S])*?)>>/g)) {
    const count = /\/Count\s+(\d+)/.exec(m[1] ?? '');
    if (count?.[1] !== undefined) root = Math.max(root, Number(count[1]));
  }
  if (root > 0) return root;
  const pages = text.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
  return pages > 0 ? pages : null;
}
