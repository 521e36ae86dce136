import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Mount tracefs at /sys/kernel/tracing unless the raw_syscalls tracepoints are already visible.
 *
 * bpftrace finds tracepoints through tracefs; a fresh machine may not have it mounted. Needs root, as bpftrace
 * does. `.ci/run` mounts it too; this keeps a plain `npm test` independent of the order the files run in.
 */
export async function ensureTracefs(): Promise<void> {
  if (existsSync('/sys/kernel/tracing/events/raw_syscalls')) return;
  await run('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
}
