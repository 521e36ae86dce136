import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The image every test container uses (built by test/support/build-images.sh). */
export const TEST_IMAGE = 'bulkhead-test/busybox:1';

/** The label every test container carries. */
export const TEST_LABEL = 'bulkhead.test=1';

/** Run the docker CLI against the real engine; resolves with trimmed stdout. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: 60_000 });
  return stdout.trim();
}

/** Start a labelled test container in the background; resolves with its full id. */
export function runDetached(name: string, ...command: string[]): Promise<string> {
  return docker('run', '-d', '--label', TEST_LABEL, '--name', name, TEST_IMAGE, ...command);
}

/** Run a labelled test container to completion (it stays, exited); resolves with its full id. */
export async function runToExit(name: string, ...command: string[]): Promise<string> {
  await docker('run', '--label', TEST_LABEL, '--name', name, TEST_IMAGE, ...command).catch(() => undefined);
  return docker('inspect', '--format', '{{.Id}}', name);
}

/** Remove exactly these containers (by id or name), ignoring ones already gone. */
export async function removeContainers(refs: readonly string[]): Promise<void> {
  if (refs.length === 0) return;
  await docker('rm', '-f', ...refs).catch(() => undefined);
}
