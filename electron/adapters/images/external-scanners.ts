import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

import { BulkheadError } from '../../../shared/ipc/result.js';
import type { ExternalScannerName, ExternalScannerPort } from '../../services/image-ports.js';

/**
 * Trivy and Grype on PATH: found by walking PATH (no shell), run with an argument array, their JSON on
 * stdout collected (bounded), stderr kept for the error message.
 */

const MAX_OUTPUT = 256 * 1024 * 1024;
const NAMES: readonly ExternalScannerName[] = ['trivy', 'grype'];

/** The arguments that make each scanner print JSON for a local image. */
export function scannerArgs(name: ExternalScannerName, image: string): string[] {
  if (image.startsWith('-'))
    throw new BulkheadError('bad-request', `not an image reference: ${JSON.stringify(image)}`);
  return name === 'trivy'
    ? ['image', '--quiet', '--format', 'json', '--scanners', 'vuln', image]
    : [`docker:${image}`, '-o', 'json', '-q'];
}

/** Where `name` is on PATH, or null. */
export async function findOnPath(
  name: string,
  path: string | undefined = process.env.PATH,
): Promise<string | null> {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The PATH-based external scanner port. */
export function createExternalScanners(options: { timeoutMs?: number } = {}): ExternalScannerPort {
  const timeoutMs = options.timeoutMs ?? 10 * 60 * 1000;
  return {
    async available() {
      const out: ExternalScannerName[] = [];
      for (const n of NAMES) if ((await findOnPath(n)) !== null) out.push(n);
      return out;
    },
    async run(name, image) {
      const bin = await findOnPath(name);
      if (bin === null) throw new BulkheadError('not-found', `${name} is not on PATH`);
      const args = scannerArgs(name, image);
      return new Promise<string>((resolve, reject) => {
        const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let size = 0;
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
        child.stdout.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_OUTPUT) child.kill('SIGTERM');
          else out.push(c);
        });
        child.stderr.on('data', (c: Buffer) => {
          if (stderr.length < 4000) stderr += c.toString('utf8');
        });
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(new BulkheadError('internal', `${name} could not be started: ${e.message}`));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
          else
            reject(
              new BulkheadError(
                'internal',
                `${name} failed (${signal ?? `exit ${code ?? '?'}`}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`,
              ),
            );
        });
      });
    },
  };
}
