import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import fc from 'fast-check';

/**
 * Shared pieces of the fuzz suite: the real data to mutate, JSON and text mutators, and chunkers.
 *
 * The suite asserts one thing above all: no parser throws on what it may be handed (a file from an image, a
 * line from a child process, a document from the engine or an advisory feed). Where a function returns an
 * error value, the tests also check the value has the documented shape.
 */

/**
 * Options of every fuzz `describe`: each property runs well under a second alone, but the unit project runs
 * files in parallel, so the default 5 s would be a flaky limit on a loaded machine.
 */
export const FUZZ = { timeout: 30_000 } as const;

/** A file of the real test data in ../shared/data (read in place, never copied; see its README). */
export const sharedData = (...parts: string[]): string =>
  resolve(process.cwd(), '..', 'shared', 'data', ...parts);

/** A file of this repository's recorded fixtures. */
export const fixture = (...parts: string[]): string => resolve(process.cwd(), 'test', 'fixtures', ...parts);

export const readText = (path: string): string => readFileSync(path, 'utf8');
export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8')) as unknown;
export const readBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

// ---------------------------------------------------------------------------------------------------------
// Strings

/** Any string, from the whole of UTF-16 (lone surrogates included) as well as printable ASCII. */
export const anyString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme-ascii', maxLength }),
    fc.string({
      unit: fc.constantFrom('\n', '\r', '\t', ' ', ':', '-', '0', 'a', '\0', '\u2028'),
      maxLength,
    }),
  );

/** Strings that break naive code: empty, huge, control characters, prototype keys, numbers as text. */
export const nastyString: fc.Arbitrary<string> = fc.constantFrom(
  '',
  ' ',
  '\n',
  '\r\n',
  '\0',
  '\u001b[31m',
  '\ud800',
  '__proto__',
  'constructor',
  'toString',
  'NaN',
  '-1',
  '1e999',
  '9007199254740993',
  '<NA>',
  'host',
  'x'.repeat(5000),
);

// ---------------------------------------------------------------------------------------------------------
// JSON values and mutations of real documents

/** Hostile replacement values for a JSON field. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(null, 0, -1, 1.5, 2 ** 53 + 2, 1e308, -1e308, true, false, [], {}, [
      null,
    ]),
  },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.array(fc.oneof(nastyString, fc.integer()), { maxLength: 4 }) },
);

type Path = readonly (string | number)[];

/** Every path to a value inside `doc` (the root excluded), depth first. */
export function jsonPaths(doc: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => {
      out.push([...prefix, i]);
      jsonPaths(v, [...prefix, i], out);
    });
  } else if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) {
      out.push([...prefix, k]);
      jsonPaths(v, [...prefix, k], out);
    }
  }
  return out;
}

/**
 * One edit of a document: remove a field, replace it, or add a sibling field. `field` aims the edit at an
 * object member rather than an array element (real documents are mostly long arrays of strings, and the
 * structure is in the members).
 */
export type JsonEdit = { readonly at: number; readonly field: boolean } & (
  | { readonly kind: 'delete' }
  | { readonly kind: 'replace'; readonly value: unknown }
  | { readonly kind: 'add'; readonly key: string; readonly value: unknown }
);

const where = { at: fc.nat(), field: fc.boolean() };

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ ...where, kind: fc.constant('delete' as const) }),
  fc.record({ ...where, kind: fc.constant('replace' as const), value: hostileJson }),
  fc.record({
    ...where,
    kind: fc.constant('add' as const),
    key: fc.oneof(nastyString, fc.string({ maxLength: 8 })),
    value: hostileJson,
  }),
);

/** Write an own property, as JSON.parse does (a `__proto__` key must not change the prototype). */
function put(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Apply `edits` to a deep copy of `doc`; each edit picks its path modulo the paths that exist at the time.
 */
export function applyJsonEdits(doc: unknown, edits: readonly JsonEdit[]): unknown {
  const copy = structuredClone(doc);
  for (const edit of edits) {
    const all = jsonPaths(copy);
    const members = all.filter((p) => typeof p[p.length - 1] === 'string');
    const paths = edit.field && members.length > 0 ? members : all;
    if (paths.length === 0) break;
    const path = paths[edit.at % paths.length] as Path;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    const last = path[path.length - 1] as string | number;
    const container = parent as Record<string | number, unknown>;
    if (edit.kind === 'delete') {
      if (Array.isArray(container)) container.splice(last as number, 1);
      else delete container[last];
    } else if (edit.kind === 'replace') {
      put(container, last, structuredClone(edit.value));
    } else if (Array.isArray(container)) {
      container.push(structuredClone(edit.value));
    } else {
      put(container, edit.key, structuredClone(edit.value));
    }
  }
  return copy;
}

/** A real document with 1 to `max` random fields deleted, retyped or added. */
export const mutatedJson = (docs: readonly unknown[], max = 6): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.constantFrom(...docs), fc.array(jsonEdit, { minLength: 1, maxLength: max }))
    .map(([doc, edits]) => applyJsonEdits(doc, edits));

// ---------------------------------------------------------------------------------------------------------
// Text mutations and chunking

/** One edit of a text: insert, delete, overwrite, duplicate or drop a line, cut. */
type TextEdit =
  | readonly ['insert' | 'overwrite', number, string]
  | readonly ['delete' | 'dup-line' | 'cut', number, number];

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.tuple(
    fc.constantFrom('insert' as const, 'overwrite' as const),
    fc.nat(),
    fc.oneof(anyString(12), nastyString),
  ),
  fc.tuple(
    fc.constantFrom('delete' as const, 'dup-line' as const, 'cut' as const),
    fc.nat(),
    fc.nat({ max: 64 }),
  ),
);

function applyTextEdit(text: string, [kind, at, arg]: TextEdit): string {
  const i = text.length === 0 ? 0 : at % (text.length + 1);
  switch (kind) {
    case 'insert':
      return text.slice(0, i) + arg + text.slice(i);
    case 'overwrite':
      return text.slice(0, i) + arg + text.slice(i + arg.length);
    case 'delete':
      return text.slice(0, i) + text.slice(i + arg);
    case 'cut':
      return text.slice(0, i);
    case 'dup-line': {
      const start = text.lastIndexOf('\n', i - 1) + 1;
      const nl = text.indexOf('\n', i);
      const end = nl === -1 ? text.length : nl + 1;
      return text.slice(0, end) + text.slice(start, end).repeat(1 + (arg % 3)) + text.slice(end);
    }
  }
}

/** A real text with up to `max` random edits (kept cheap on large files: edits are local). */
export const mutatedText = (texts: readonly string[], max = 8): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...texts), fc.array(textEdit, { minLength: 1, maxLength: max }))
    .map(([text, edits]) => edits.reduce(applyTextEdit, text));

/** Cut points for a text of `length`: sorted, unique, inside it. */
export const cutPoints = (length: number): fc.Arbitrary<number[]> =>
  fc
    .array(fc.integer({ min: 0, max: Math.max(0, length) }), { maxLength: 40 })
    .map((cuts) => [...new Set(cuts)].sort((a, b) => a - b));

/** `text` split at `cuts` (empty chunks included, as a stream can deliver them). */
export function chunks(text: string, cuts: readonly number[]): string[] {
  const out: string[] = [];
  let last = 0;
  for (const c of cuts) {
    out.push(text.slice(last, c));
    last = c;
  }
  out.push(text.slice(last));
  return out;
}

/** A text and a way to cut it, for chunking properties. */
export const chunked = (text: fc.Arbitrary<string>): fc.Arbitrary<{ text: string; parts: string[] }> =>
  text.chain((t) => cutPoints(t.length).map((cuts) => ({ text: t, parts: chunks(t, cuts) })));

// ---------------------------------------------------------------------------------------------------------
// Bytes

/** A byte-level edit of a binary file, aimed at the 4-byte big-endian fields binary formats are made of. */
type ByteEdit =
  | readonly ['byte', number, number]
  | readonly ['u32', number, number]
  | readonly ['copy', number, number, number]
  | readonly ['zero', number, number]
  | readonly ['truncate', number];

export const byteEdit = (length: number, hot: number): fc.Arbitrary<ByteEdit> => {
  // Half the edits land in the first `hot` bytes (headers, the first pages), half anywhere.
  const offset = fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, Math.min(hot, length) - 1) }),
    fc.nat({ max: Math.max(0, length - 1) }),
  );
  const u32 = fc.oneof(
    fc.constantFrom(0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, length, Math.floor(length / 512)),
    fc.nat({ max: 0xffffffff }),
  );
  return fc.oneof(
    fc.tuple(fc.constant('byte' as const), offset, fc.nat({ max: 255 })),
    fc.tuple(fc.constant('u32' as const), offset, u32),
    fc.tuple(fc.constant('copy' as const), offset, offset, fc.integer({ min: 1, max: 4096 })),
    fc.tuple(fc.constant('zero' as const), offset, fc.integer({ min: 1, max: 4096 })),
    fc.tuple(fc.constant('truncate' as const), fc.nat({ max: Math.max(0, length) })),
  );
};

/** Apply `edits` to a copy of `bytes`. */
export function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let b = bytes.slice();
  for (const e of edits) {
    if (b.length === 0) break;
    switch (e[0]) {
      case 'byte':
        b[e[1] % b.length] = e[2];
        break;
      case 'u32': {
        const at = e[1] % b.length;
        for (let k = 0; k < 4 && at + k < b.length; k++) b[at + k] = (e[2] >>> (8 * (3 - k))) & 0xff;
        break;
      }
      case 'copy': {
        const from = e[1] % b.length;
        const to = e[2] % b.length;
        b.copyWithin(to, from, Math.min(b.length, from + e[3]));
        break;
      }
      case 'zero':
        b.fill(0, e[1] % b.length, Math.min(b.length, (e[1] % b.length) + e[2]));
        break;
      case 'truncate':
        b = b.slice(0, e[1]);
        break;
    }
  }
  return b;
}
