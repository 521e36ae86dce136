import type { ContainerId, EpochMillis } from './ids.js';

/** The lifecycle states the engine reports for a container. */
export const CONTAINER_STATES = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** One container as every card and the CLI list show it. */
export interface ContainerSummary {
  readonly id: ContainerId;
  /** Name without the leading slash. */
  readonly name: string;
  /** The image reference the container was created from, as the user typed it. */
  readonly image: string;
  readonly imageId: string;
  readonly state: ContainerState;
  /** The engine's own human-readable status, e.g. `Up 5 minutes` or `Exited (0) 2 hours ago`. */
  readonly status: string;
  readonly createdAt: EpochMillis;
  /** When the current run started; null if it never started. */
  readonly startedAt: EpochMillis | null;
  /** When the last run finished; null while running or if it never ran. */
  readonly finishedAt: EpochMillis | null;
  readonly exitCode: number | null;
  /** Host PID of the container's init process while running (0 otherwise); for /proc evidence. */
  readonly pid: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** Where a list of containers came from: the live engine, or the embedded demo recording. */
export type DataSource =
  | { readonly kind: 'live' }
  | {
      readonly kind: 'demo';
      /** When the scenario was recorded from real containers. */
      readonly recordedAt: EpochMillis;
      /** Engine the recording was made on, e.g. `Docker 20.10.24 on linux/amd64`. */
      readonly recordedOn: string;
      /** Why demo data is shown, e.g. the connection error. */
      readonly reason: string;
    };

/** The answer to `containers:list`. */
export interface ContainerList {
  readonly source: DataSource;
  /** The engine the containers run on (for demo data: the engine they were recorded on). */
  readonly engineName: string;
  readonly containers: readonly ContainerSummary[];
  /** Containers that were listed but could not be inspected (vanished, permission), with the reason. */
  readonly problems: readonly { readonly id: ContainerId; readonly name: string; readonly message: string }[];
}

/** Milliseconds a container has been up at `now`, or null when it is not running. */
export function uptimeMillis(c: ContainerSummary, now: number): number | null {
  if (c.state !== 'running' || c.startedAt === null) return null;
  return Math.max(0, now - c.startedAt);
}

/** Compact human duration: `42s`, `5m 3s`, `3h 12m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}
