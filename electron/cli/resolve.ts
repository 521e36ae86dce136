/**
 * Resolve what the user typed against the containers the way the docker CLI does: a full id, else
 * an exact name, else a unique id prefix.
 */
export function resolveContainers<T extends { readonly id: string; readonly name: string }>(
  entries: readonly T[],
  wanted: readonly string[],
): { found: T[] } | { error: string } {
  const found: T[] = [];
  for (const raw of wanted) {
    const q = raw.replace(/^\//, '');
    let match = entries.find((e) => e.id === q) ?? entries.find((e) => e.name === q);
    if (match === undefined && /^[0-9a-f]+$/.test(q)) {
      const prefixed = entries.filter((e) => e.id.startsWith(q));
      if (prefixed.length > 1)
        return { error: `${JSON.stringify(raw)} matches ${prefixed.length} containers` };
      match = prefixed[0];
    }
    if (match === undefined) return { error: `no such container: ${JSON.stringify(raw)}` };
    if (!found.includes(match)) found.push(match);
  }
  return { found };
}
