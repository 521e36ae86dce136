import { existsSync, readdirSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { mapInspect as mapSummary } from '../../../electron/adapters/docker/map-inspect.js';
import { matchPackage } from '../../../shared/domain/advisories/match.js';
import type { OsvRecord } from '../../../shared/domain/advisories/osv.js';
import { parseOsvRecord } from '../../../shared/domain/advisories/osv.js';
import { isContainerId } from '../../../shared/domain/ids.js';
import type { ImageLintInput } from '../../../shared/domain/images/lint.js';
import { lintImage } from '../../../shared/domain/images/lint.js';
import { parseExternalScan } from '../../../shared/domain/images/scanner-import.js';
import type { ImageConfigSummary, MergedEntry } from '../../../shared/domain/packages/image.js';
import { mapImageConfig, specialFiles } from '../../../shared/domain/packages/image.js';
import type { Package, PackageFormat } from '../../../shared/domain/packages/model.js';
import { assessContainer, buildHostFacts } from '../../../shared/domain/posture/evaluate.js';
import { mapInspect as mapSnapshot } from '../../../shared/domain/posture/map-inspect.js';
import type { SeccompParseErrorCode } from '../../../shared/domain/seccomp/profile.js';
import {
  allowedSyscalls,
  DOCKER_DEFAULT_CAPS,
  parseSeccompProfile,
  SECCOMP_PARSE_ERROR_CODES,
} from '../../../shared/domain/seccomp/profile.js';
import { SYSCALL_ARCHES } from '../../../shared/domain/syscalls/names.js';
import {
  anyString,
  fixture,
  hostileJson,
  mutatedJson,
  mutatedText,
  nastyString,
  readJson,
  readText,
  sharedData,
  FUZZ,
} from './support.js';

// JSON documents from outside: advisory feeds, seccomp profiles a user points at, the engine's inspect
// output, image configs from `docker save`, other scanners' reports. Each is mutated from real samples.

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json') || f.endsWith('.json.golden'))
    .map((f) => `${dir}/${f}`);

/** Any JSON value, or a real document with fields deleted, retyped or added. */
const documents = (real: readonly unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 5, arbitrary: mutatedJson(real, 6) },
    { weight: 1, arbitrary: fc.constantFrom(...real) },
    { weight: 1, arbitrary: hostileJson },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );

// ---------------------------------------------------------------------------------------------------------
// OSV records, and matching packages against whatever parsed

const OSV = jsonFiles(sharedData('vuln', 'osv')).map(readJson);

/** Packages that the real records name, with versions around theirs. */
const packageFor = (records: readonly OsvRecord[]): fc.Arbitrary<Package> => {
  const affected = records.flatMap((r) => r.affected.map((a) => a.package));
  const names = [...new Set(affected.map((p) => p.name)), 'musl', 'openssl'];
  const ecosystems = [
    ...new Set(affected.map((p) => p.ecosystem)),
    'Debian:12',
    'Alpine:v3.18',
    'Rocky Linux:9',
  ];
  const versions = records.flatMap((r) =>
    r.affected.flatMap((a) => [
      ...a.versions,
      ...a.ranges.flatMap((g) => g.events.map((e) => Object.values(e)[0] as string)),
    ]),
  );
  const version = fc.oneof(
    fc.constantFrom('0', '1.2.3-1', '1.2.4-r0', ...versions),
    mutatedText(['1.2.3-1', '1:2.0~rc1-3+b1'], 2),
    anyString(12),
  );
  return fc.record({
    name: fc.constantFrom(...names),
    version,
    sourceName: fc.constantFrom(...names),
    sourceVersion: version,
    arch: fc.constantFrom('amd64', ''),
    format: fc.constantFrom<PackageFormat>('dpkg', 'apk', 'rpm'),
    ecosystem: fc.option(fc.oneof(fc.constantFrom(...ecosystems), anyString(12)), { freq: 10 }),
  });
};

describe('OSV records (fuzz)', FUZZ, () => {
  it('parseOsvRecord returns a record or a reason for any JSON value', () => {
    fc.assert(
      fc.property(documents(OSV), (doc) => {
        const r = parseOsvRecord(doc);
        if (r.ok) expect(r.record.id).not.toMatch(/[\s/\\]/);
        else expect(typeof r.reason).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('matchPackage never throws on records that parsed and on any package', () => {
    const parsed = fc
      .array(documents(OSV), { minLength: 1, maxLength: 6 })
      .map((docs) => docs.map(parseOsvRecord).flatMap((r) => (r.ok ? [r.record] : [])));
    fc.assert(
      fc.property(
        parsed.chain((records) => fc.tuple(fc.constant(records), packageFor(records))),
        ([records, pkg]) => {
          for (const m of matchPackage(pkg, records))
            expect(records.map((r) => r.id)).toContain(m.advisoryId);
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Seccomp profiles

const SECCOMP = jsonFiles(sharedData('seccomp')).map(readJson);
const SECCOMP_TEXT = jsonFiles(sharedData('seccomp')).map(readText);

/** Values no JSON parse produces, which the parser says it survives anyway ("a proxy, a getter"). */
const ODD_VALUES: readonly unknown[] = [
  undefined,
  Object.create(null) as unknown,
  new Proxy(
    {},
    {
      get: () => {
        throw new Error('trap');
      },
      ownKeys: () => {
        throw new Error('trap');
      },
    },
  ),
  Object.defineProperty({}, 'defaultAction', {
    enumerable: true,
    get: () => {
      throw new Error('getter');
    },
  }),
  { defaultAction: 'SCMP_ACT_ERRNO', syscalls: new Proxy([], { get: () => 1 }) },
];

describe('seccomp profiles (fuzz)', FUZZ, () => {
  it('parseSeccompProfile never throws, on text or any value, and refusals carry a documented code', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 6, arbitrary: documents(SECCOMP) },
          { weight: 2, arbitrary: mutatedText(SECCOMP_TEXT, 4) },
          {
            weight: 1,
            arbitrary: fc.anything({
              maxDepth: 3,
              withBigInt: true,
              withMap: true,
              withSet: true,
              withNullPrototype: true,
              withBoxedValues: true,
              withTypedArray: true,
              withSparseArray: true,
              withDate: true,
            }),
          },
          { weight: 1, arbitrary: fc.constantFrom(...ODD_VALUES) },
        ),
        (input) => {
          const r = parseSeccompProfile(input);
          if (!r.ok) {
            expect(SECCOMP_PARSE_ERROR_CODES as readonly SeccompParseErrorCode[]).toContain(r.error.code);
            expect(typeof r.error.path).toBe('string');
          }
        },
      ),
      { numRuns: 800 },
    );
  });

  it('allowedSyscalls never throws on a profile that parsed, for any arch and caps', () => {
    const profiles = documents(SECCOMP)
      .map((d) => parseSeccompProfile(d))
      .filter((r) => r.ok)
      .map((r) => (r.ok ? r.profile : null));
    fc.assert(
      fc.property(
        profiles,
        fc.constantFrom(...SYSCALL_ARCHES),
        fc.oneof(
          fc.constant(DOCKER_DEFAULT_CAPS),
          fc.array(fc.oneof(fc.constantFrom('CAP_SYS_ADMIN', 'sys_admin', 'ALL'), nastyString)),
        ),
        (profile, arch, caps) => {
          const a = allowedSyscalls(profile!, { arch, caps });
          expect(a.all.length).toBe(a.unconditional.length + a.conditional.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// docker inspect documents

const INSPECT = [
  ...jsonFiles(fixture('inspect')),
  ...readdirSync(fixture('posture'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(fixture('posture', d.name, 'inspect.json')))
    .map((d) => fixture('posture', d.name, 'inspect.json')),
].map(readJson);

describe('inspect documents (fuzz)', FUZZ, () => {
  it('the posture mapper returns a snapshot or names what is missing', () => {
    fc.assert(
      fc.property(documents(INSPECT), (doc) => {
        const r = mapSnapshot(doc);
        if (r.ok) expect(isContainerId(r.snapshot.id)).toBe(true);
        else expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) expect(typeof p).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('no posture rule throws on a mapped snapshot (a throw would show as "could not be evaluated")', () => {
    const host = buildHostFacts(null, null);
    fc.assert(
      fc.property(documents(INSPECT), (doc) => {
        const r = assessContainer({ inspect: doc }, host);
        if (r.state === 'assessed') {
          const broken = r.findings.filter((f) => f.message.includes('could not be evaluated'));
          expect(broken.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the engine adapter mapper returns a summary or a message', () => {
    fc.assert(
      fc.property(
        documents(INSPECT),
        fc.option(fc.oneof(fc.constantFrom('Up 2 hours', 'Exited (3) 1 minute ago'), anyString(30))),
        (doc, status) => {
          const r = mapSummary(doc, status ?? undefined);
          if (r.ok) expect(isContainerId(r.summary.id)).toBe(true);
          else expect(typeof r.message).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Image configs and lint

const IMAGE_CONFIGS = jsonFiles(fixture('images')).map(readJson);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An image config summary with arbitrary contents (as a mapper bug or a future field could produce). */
const configSummary: fc.Arbitrary<ImageConfigSummary> = fc.record({
  user: fc.oneof(fc.constantFrom('', 'root', '0', '0:0', '1000:1000', 'nobody'), anyString(20)),
  env: fc.array(
    fc.oneof(fc.constantFrom('AWS_SECRET_ACCESS_KEY=abc123', 'PASSWORD=', 'TOKEN=${X}'), anyString(40)),
  ),
  entrypoint: fc.option(fc.array(anyString(20), { maxLength: 3 })),
  cmd: fc.option(fc.array(anyString(20), { maxLength: 3 })),
  workingDir: anyString(20),
  healthcheck: fc.option(
    fc.record({
      test: fc.array(fc.oneof(fc.constantFrom('NONE', 'CMD', 'CMD-SHELL'), anyString(10)), { maxLength: 3 }),
      intervalNs: fc.option(fc.double()),
      timeoutNs: fc.option(fc.double()),
      startPeriodNs: fc.option(fc.double()),
      retries: fc.option(fc.integer()),
    }),
  ),
  labels: fc.dictionary(fc.oneof(anyString(12), nastyString), fc.oneof(anyString(60), nastyString), {
    maxKeys: 6,
  }),
  exposedPorts: fc.array(anyString(10), { maxLength: 3 }),
  history: fc.array(
    fc.record({
      created: fc.option(anyString(30)),
      createdBy: fc.oneof(
        fc.constantFrom('/bin/sh -c #(nop) ADD file:abc in /', '|1 API_TOKEN=x /bin/sh -c true'),
        anyString(80),
      ),
      comment: anyString(20),
      emptyLayer: fc.boolean(),
    }),
    { maxLength: 5 },
  ),
  created: fc.option(
    fc.oneof(fc.constantFrom('2026-12-03T20:15:01Z', '0001-01-01T00:00:00Z', '1e999'), anyString(30)),
  ),
  architecture: anyString(10),
  os: anyString(10),
  diffIds: fc.array(anyString(20), { maxLength: 3 }),
});

const SECRET_PATHS = [
  '/opt/app/.env',
  '/root/.ssh/id_rsa',
  '/root/.aws/credentials',
  '/home/u/.docker/config.json',
  '/etc/shadow',
  '/x/\u001b[31m.env',
];

/** Files an image reader could have kept: secret-looking paths, setuid bits, any content. */
const mergedFiles = fc
  .array(
    fc.record({
      path: fc.oneof(
        fc.constantFrom(...SECRET_PATHS),
        anyString(30).map((p) => `/${p}`),
      ),
      mode: fc.oneof(fc.constantFrom(0o644, 0o4755, 0o2755, 0o6777, -1, 2 ** 40), fc.nat()),
      uid: fc.integer(),
      content: fc.option(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .constantFrom('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n', 'password=hunter22\n', '')
            .map((s) => new TextEncoder().encode(s)),
        ),
      ),
      layer: fc.nat({ max: 5 }),
    }),
    { maxLength: 8 },
  )
  .map((entries) => {
    const m = new Map<string, MergedEntry>();
    for (const e of entries) m.set(e.path, { kind: 'file', gid: 0, size: e.content?.length ?? 0, ...e });
    return m;
  });

// JSON.stringify escapes U+0000–U+001F; that is what "inert text" promises for evidence.
const hasC0 = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20);

describe('image config mapping and lint (fuzz)', FUZZ, () => {
  it('mapImageConfig maps any JSON value or throws exactly its two documented errors', () => {
    fc.assert(
      fc.property(documents(IMAGE_CONFIGS), (doc) => {
        const expected = !isRecord(doc)
          ? 'image config is not a JSON object'
          : !isRecord(doc.rootfs)
            ? 'image config has no rootfs'
            : null;
        if (expected === null) expect(() => mapImageConfig(doc)).not.toThrow();
        else expect(() => mapImageConfig(doc)).toThrow(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('lintImage yields one finding per rule with inert, bounded evidence for any config and files', () => {
    const mapped = documents(IMAGE_CONFIGS)
      .filter((d) => isRecord(d) && isRecord(d.rootfs))
      .map((d) => mapImageConfig(d));
    fc.assert(
      fc.property(
        fc.oneof(mapped, configSummary),
        mergedFiles,
        fc.array(fc.oneof(fc.constantFrom('busybox:latest', 'x:1', 'latest'), anyString(20)), {
          maxLength: 3,
        }),
        fc.oneof(fc.constant(Date.parse('2026-12-04T00:00:00Z')), fc.double(), fc.integer()),
        (config, files, refs, now) => {
          const input: ImageLintInput = { config, files, specialFiles: specialFiles(files), refs, now };
          const findings = lintImage(input);
          expect(findings).toHaveLength(11);
          for (const f of findings) {
            expect(['pass', 'warn', 'fail', 'info']).toContain(f.status);
            expect(f.evidence.length).toBeLessThanOrEqual(21);
            expect(f.evidence.filter(hasC0)).toEqual([]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Other scanners' reports

const SCANS = jsonFiles(sharedData('vuln', 'scanner-output'));

describe('Trivy / Grype import (fuzz)', FUZZ, () => {
  it('parseExternalScan returns a scan or a reason for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          {
            weight: 4,
            arbitrary: documents(SCANS.map(readJson)).map((d) => JSON.stringify(d) ?? 'undefined'),
          },
          { weight: 1, arbitrary: mutatedText(SCANS.map(readText), 4) },
          { weight: 1, arbitrary: anyString(100) },
        ),
        (text) => {
          const r = parseExternalScan(text);
          if (r.ok) expect(['trivy', 'grype']).toContain(r.scan.scanner);
          else expect(typeof r.reason).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
