/**
 * Branded identifiers and units.
 *
 * A `ContainerId` is always the full 64-hex id the engine uses; short ids and names are plain strings, so
 * mixing them up is a compile error rather than a lookup that silently misses.
 */
export type ContainerId = string & { readonly __brand: 'ContainerId' };

/** An image id as the engine reports it (`sha256:` followed by 64 hex digits). */
export type ImageId = string & { readonly __brand: 'ImageId' };

/** Milliseconds since the Unix epoch. */
export type EpochMillis = number & { readonly __brand: 'EpochMillis' };

const FULL_ID = /^[0-9a-f]{64}$/;

/** Whether `value` is a full 64-hex container id. */
export function isContainerId(value: string): value is ContainerId {
  return FULL_ID.test(value);
}

/**
 * Parse a full container id.
 *
 * Throws on anything else, including short ids: callers that accept short ids resolve them against the
 * engine first.
 */
export function toContainerId(value: string): ContainerId {
  if (!isContainerId(value))
    throw new Error(`not a full container id: ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}

/** The 12-character short form the docker CLI prints. */
export function shortId(id: ContainerId): string {
  return id.slice(0, 12);
}
