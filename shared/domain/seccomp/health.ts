/**
 * When a container's health check first turned healthy, from its inspect document — the start-up boundary
 * of the split-phase analysis where there is a health check (SPEAKER's "the service is ready").
 *
 * Docker marks a container healthy after the first probe that exits 0, and keeps the last five probes in
 * `State.Health.Log` (`Start`, `End`, `ExitCode`). The boundary is the `End` of the earliest successful probe
 * still in the log. When the log is full and already starts with a success, earlier probes were dropped and
 * the real moment may be earlier: the result says so (`exact: false`).
 */

/** Probes Docker keeps per container (moby's `maxLogEntries`). */
export const HEALTH_LOG_ENTRIES = 5;

/** The outcome: the boundary in epoch seconds, or why there is none. */
export type HealthBoundary =
  | { readonly healthyAt: number; readonly exact: boolean; readonly basis: string }
  | { readonly healthyAt: null; readonly basis: string };

interface Probe {
  readonly start: number;
  readonly end: number;
  readonly exitCode: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse an RFC 3339 time to epoch milliseconds; NaN when it is not one. */
function millis(v: unknown): number {
  return typeof v === 'string' ? Date.parse(v) : Number.NaN;
}

/** The health boundary of a container, from its (untrusted) inspect document. */
export function healthBoundary(inspect: unknown): HealthBoundary {
  const state = isRecord(inspect) ? inspect['State'] : undefined;
  const health = isRecord(state) ? state['Health'] : undefined;
  if (!isRecord(health)) return { healthyAt: null, basis: 'the container has no health check' };
  const log = Array.isArray(health['Log']) ? (health['Log'] as unknown[]) : [];
  const probes: Probe[] = [];
  for (const entry of log) {
    if (!isRecord(entry)) continue;
    const start = millis(entry['Start']);
    const end = millis(entry['End']);
    const exitCode = entry['ExitCode'];
    if (Number.isFinite(start) && Number.isFinite(end) && typeof exitCode === 'number')
      probes.push({ start, end, exitCode });
  }
  probes.sort((a, b) => a.start - b.start);
  const first = probes.find((p) => p.exitCode === 0);
  const status = typeof health['Status'] === 'string' ? health['Status'] : 'unknown';
  if (first === undefined)
    return {
      healthyAt: null,
      basis: `the health check has not succeeded yet (status ${status}, ${probes.length} probe(s) in the log)`,
    };
  const truncated = log.length >= HEALTH_LOG_ENTRIES && probes[0] === first;
  const at = new Date(first.end).toISOString();
  return {
    healthyAt: Math.floor(first.end / 1000),
    exact: !truncated,
    basis: truncated
      ? `health check succeeded at ${at} (the earliest probe Docker still keeps; it became healthy at or before then)`
      : `health check first succeeded at ${at}`,
  };
}
