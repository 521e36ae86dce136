import { StringDecoder } from 'node:string_decoder';

/** Longest line (in characters) the decoder buffers; a longer one is dropped and counted. */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Splits a byte stream of newline-delimited JSON into values.
 *
 * Chunks may cut a line (or a multi-byte character) anywhere. A line that is not JSON, or is longer than
 * `maxLine`, is skipped and counted in `malformed`; nothing here throws on bad input.
 */
export interface JsonLineDecoder {
  /** Feed one chunk; returns the values of the lines it completed. */
  push(chunk: Buffer | string): unknown[];
  /** The values of a last line without a trailing newline. */
  end(): unknown[];
  readonly malformed: number;
}

/** Create a JsonLineDecoder. */
export function createJsonLineDecoder(maxLine = MAX_LINE_CHARS): JsonLineDecoder {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let malformed = 0;
  // True while skipping the rest of an over-long line until its newline arrives.
  let discarding = false;

  const parse = (line: string, out: unknown[]): void => {
    const text = line.trim();
    if (text === '') return;
    try {
      out.push(JSON.parse(text) as unknown);
    } catch {
      malformed += 1;
    }
  };

  const take = (text: string): unknown[] => {
    const out: unknown[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (discarding) {
        discarding = false;
        pending = '';
        continue;
      }
      parse(pending + piece, out);
      pending = '';
    }
    if (!discarding) {
      pending += text.slice(start);
      if (pending.length > maxLine) {
        malformed += 1;
        pending = '';
        discarding = true;
      }
    }
    return out;
  };

  return {
    push: (chunk) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
    end: () => {
      const out = take(decoder.end());
      if (!discarding) parse(pending, out);
      pending = '';
      discarding = false;
      return out;
    },
    get malformed() {
      return malformed;
    },
  };
}
