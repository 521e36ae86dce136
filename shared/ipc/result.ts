/**
 * The Result envelope: errors cross every boundary (IPC, WebSocket, CLI) as data, never as thrown text.
 *
 * The renderer switches on `code` to show "Docker engine not reachable at …" without parsing messages.
 */
export const ERROR_CODES = [
  'bad-request',
  'unknown-channel',
  'untrusted-sender',
  'transport-closed',
  'docker-unreachable',
  'docker-permission-denied',
  'docker-error',
  'not-found',
  'permission-denied',
  'demo-unavailable',
  'sysdig-missing',
  'sysdig-driver-missing',
  'sysdig-failed',
  'capture-unreadable',
  'bpftrace-missing',
  'bpftrace-failed',
  'disk-full',
  /** A file could not be written (the message names the errno, e.g. ENOSPC); an existing file is unchanged. */
  'write-failed',
  /** An HTML or PDF report was asked for, but no renderer is wired into this engine. */
  'report-renderer-unavailable',
  /** No Chromium at the configured path (the headless report renderer needs one). */
  'chromium-missing',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as it crosses a boundary. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorData };

/** A successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed Result. */
export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/**
 * An error that knows its code.
 *
 * Adapters throw it (e.g. `docker-unreachable`); the dispatcher turns it into a failed Result. Anything
 * else that is thrown becomes `internal`.
 */
export class BulkheadError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BulkheadError';
    this.code = code;
  }
}

/** The ErrorData for anything caught. */
export function toErrorData(e: unknown): ErrorData {
  if (e instanceof BulkheadError) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message };
}

/** Unwrap a Result, throwing a BulkheadError for a failure. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new BulkheadError(result.error.code, result.error.message);
}
