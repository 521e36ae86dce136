import { ADVISORY_SEVERITIES } from '../advisories/severity.js';
import { CONTAINER_STATES } from '../container.js';
import { PACKAGE_FORMATS } from '../packages/model.js';
import { FINDING_STATUSES, SEVERITIES } from '../posture/model.js';
import { GRADES } from '../posture/score.js';
import {
  REPORT_FORMAT_VERSION,
  REPORT_MAX_HIGHLIGHTS,
  REPORT_SECTIONS,
  REPORT_TOP_SYSCALLS,
} from './model.js';

/**
 * The JSON Schema (draft 2020-12) of the JSON export (shared/domain/report/json.ts): every object closed
 * (no unknown keys), every field the model requires required, numbers typed (integers where the model
 * counts). Published as assets/schemas/bulkhead-report-1.schema.json — the same value, written by
 * `npx tsx test/support/gen-report-schema.ts` and compared with this constant by a test.
 */

type Schema = Readonly<Record<string, unknown>>;

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const count: Schema = { type: 'integer', minimum: 0 };
const millis: Schema = { type: 'integer', minimum: 0 };
const seconds: Schema = { type: 'integer', minimum: 0 };
const nonNegative: Schema = { type: 'number', minimum: 0 };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const oneOf = (...schemas: Schema[]): Schema => ({ oneOf: schemas });
const enm = (values: readonly (string | number)[]): Schema => ({ enum: [...values] });
const lit = (value: string | number): Schema => ({ const: value });

/** A closed object: every property required unless named in `optional`. */
function obj(properties: Readonly<Record<string, Schema>>, optional: readonly string[] = []): Schema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

const unavailable = obj({ state: lit('unavailable'), reason: str });

const severityCounts = obj(Object.fromEntries(ADVISORY_SEVERITIES.map((s) => [s, count])));

const boscCommon: Readonly<Record<string, Schema>> = {
  key: str,
  syscalls: count,
  windows: count,
  epochs: count,
  database: obj({ bags: count, maxBags: count, full: count }),
  current: obj({ windows: count, mismatches: count }),
  mismatches: count,
  gaps: count,
  firstSecond: nullable(seconds),
  lastSecond: nullable(seconds),
};

const DEFS: Readonly<Record<string, Schema>> = {
  severity: enm(SEVERITIES),
  advisorySeverity: enm(ADVISORY_SEVERITIES),
  severityCounts,
  unavailable,
  evidence: obj({ source: enm(['inspect', 'proc', 'engine', 'host']), field: str, value: str }),
  finding: obj({
    ruleId: str,
    cisId: nullable(str),
    title: str,
    severity: ref('severity'),
    status: enm(FINDING_STATUSES),
    message: str,
    rationale: str,
    evidence: arr(ref('evidence')),
    remediation: obj({ flag: str, compose: str }),
    evidenceKind: ref('evidenceKind'),
  }),
  evidenceKind: enm(['kernel', 'configuration-only']),
  postureScore: obj({
    value: { type: 'integer', minimum: 0, maximum: 100 },
    grade: enm(GRADES),
    deductions: arr(obj({ ruleId: str, status: enm(['fail', 'warn']), points: nonNegative })),
    counts: obj(Object.fromEntries(FINDING_STATUSES.map((s) => [s, count]))),
  }),
  package: obj({
    name: str,
    version: str,
    sourceName: str,
    sourceVersion: str,
    arch: str,
    format: enm(PACKAGE_FORMATS),
    ecosystem: nullable(str),
  }),
  advisoryFinding: obj({
    advisoryId: str,
    aliases: arr(str),
    summary: str,
    package: ref('package'),
    advisoryEcosystem: str,
    advisoryPackage: str,
    comparedVersion: str,
    matchedBy: enm(['range', 'versions']),
    fixedVersion: nullable(str),
    severity: obj({ level: ref('advisorySeverity'), score: nullable({ type: 'number' }), basis: str }),
    published: nullable(str),
    modified: str,
    references: arr(str),
    db: obj({ source: str, importedAt: millis, ageMs: nonNegative, stale: bool }),
  }),
  lintFinding: obj({
    id: str,
    reference: nullable(str),
    title: str,
    severity: ref('severity'),
    status: enm(['pass', 'warn', 'fail', 'info']),
    message: str,
    evidence: arr(str),
  }),
  packageDb: obj({
    kind: nullable(enm(['dpkg', 'apk', 'rpm'])),
    packages: count,
    skipped: count,
    note: nullable(str),
  }),
  advisoryDb: obj({ source: str, importedAt: millis, ageMs: nonNegative, stale: bool, ecosystems: arr(str) }),
  subject: oneOf(
    obj({ kind: lit('container'), id: str, name: nullable(str) }),
    obj({ kind: lit('host') }),
    obj({ kind: lit('unattributed') }),
  ),
  syscallAlertHit: obj({
    subject: ref('subject'),
    syscall: str,
    ruleId: str,
    title: str,
    severity: ref('severity'),
    firstSeen: seconds,
    lastSeen: seconds,
    total: { type: 'integer', minimum: 1 },
  }),
  alertRecord: obj({
    key: str,
    source: enm(['builtin', 'falco']),
    ruleId: str,
    title: str,
    severity: ref('severity'),
    rationale: nullable(str),
    container: nullable(obj({ id: str, name: nullable(str) })),
    firstSeen: millis,
    lastSeen: millis,
    count: count,
    syscalls: arr(obj({ name: str, count: count })),
    processes: arr(str),
    detail: nullable(str),
    tags: arr(str),
    hostname: nullable(str),
  }),
  overRepresented: obj({
    syscall: str,
    inMismatches: count,
    share: nonNegative,
    trainingShare: nonNegative,
    ratio: nonNegative,
  }),
  anomalousEpoch: obj({
    epoch: count,
    from: seconds,
    to: seconds,
    windows: count,
    mismatches: count,
    hint: arr(ref('overRepresented')),
  }),
  boscState: oneOf(
    obj({ ...boscCommon, phase: lit('learning'), epochsTrained: count, trainingEpochs: count }),
    obj({ ...boscCommon, phase: lit('watching'), epochsWatched: count }),
    obj({
      ...boscCommon,
      phase: lit('anomalous'),
      epochsWatched: count,
      anomalousEpochs: count,
      anomalies: arr(ref('anomalousEpoch')),
      anomalousMismatches: count,
      hint: arr(ref('overRepresented')),
    }),
  ),
  dataSource: oneOf(
    obj({ kind: lit('live') }),
    obj({ kind: lit('demo'), recordedAt: millis, recordedOn: str, reason: str }),
  ),
  host: obj({
    endpoint: str,
    engine: nullable(
      obj({
        name: str,
        version: str,
        apiVersion: str,
        os: str,
        arch: str,
        kernelVersion: str,
        operatingSystem: str,
      }),
    ),
    posture: oneOf(
      obj(
        {
          state: lit('assessed'),
          score: ref('postureScore'),
          findings: arr(ref('finding')),
          evidenceKind: ref('evidenceKind'),
          notes: arr(str),
        },
        ['notes'],
      ),
      ref('unavailable'),
    ),
  }),
  posture: oneOf(
    obj({
      state: lit('assessed'),
      score: ref('postureScore'),
      findings: arr(ref('finding')),
      evidenceKind: ref('evidenceKind'),
      notes: arr(str),
    }),
    ref('unavailable'),
  ),
  image: oneOf(
    obj({
      state: lit('scanned'),
      imageId: str,
      refs: arr(str),
      ageDays: nullable({ type: 'integer' }),
      os: nullable(str),
      ecosystem: nullable(str),
      packageDb: ref('packageDb'),
      db: nullable(ref('advisoryDb')),
      severityCounts: ref('severityCounts'),
      vulnerabilities: arr(ref('advisoryFinding')),
      lint: arr(ref('lintFinding')),
      scannedAt: millis,
    }),
    ref('unavailable'),
  ),
  syscalls: oneOf(
    obj(
      {
        state: lit('observed'),
        total: count,
        top: arr(obj({ syscall: str, count: { type: 'integer', minimum: 1 } }), {
          maxItems: REPORT_TOP_SYSCALLS,
        }),
        rest: obj({ syscalls: count, count: count }),
        alerts: arr(ref('syscallAlertHit')),
        topOnly: bool,
      },
      ['topOnly'],
    ),
    ref('unavailable'),
  ),
  seccomp: oneOf(
    obj({
      state: lit('generated'),
      observedNames: count,
      allowed: count,
      defaultAllowed: nullable(count),
      reductionPct: nullable({ type: 'integer' }),
      sentence: str,
      runningPhase: nullable(
        obj({ allowed: count, reductionPct: nullable({ type: 'integer' }), startupOnly: arr(str) }),
      ),
    }),
    ref('unavailable'),
  ),
  anomalies: oneOf(
    obj({ state: lit('monitored'), bosc: nullable(ref('boscState')), alerts: arr(ref('alertRecord')) }),
    ref('unavailable'),
  ),
  container: obj(
    {
      id: str,
      name: str,
      image: str,
      state: enm(CONTAINER_STATES),
      posture: ref('posture'),
      imageFindings: ref('image'),
      syscalls: ref('syscalls'),
      seccomp: ref('seccomp'),
      anomalies: ref('anomalies'),
    },
    ['posture', 'imageFindings', 'syscalls', 'seccomp', 'anomalies'],
  ),
  summary: obj(
    {
      containers: count,
      rows: arr(
        obj({
          id: str,
          name: str,
          score: nullable({ type: 'integer', minimum: 0, maximum: 100 }),
          grade: nullable(enm(GRADES)),
          vulnerabilities: nullable(ref('severityCounts')),
          alerts: count,
          anomalous: bool,
        }),
      ),
      hostScore: nullable({ type: 'integer', minimum: 0, maximum: 100 }),
      vulnerabilities: ref('severityCounts'),
      highlights: arr(obj({ severity: ref('severity'), container: nullable(str), text: str }), {
        maxItems: REPORT_MAX_HIGHLIGHTS,
      }),
      moreHighlights: { type: 'integer', minimum: 1 },
    },
    ['moreHighlights'],
  ),
  methodologyNote: obj({ section: enm([...REPORT_SECTIONS, 'host']), text: str }),
};

/** The report's JSON Schema (see the module comment). */
export const REPORT_JSON_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:bulkhead:schema:report:1',
  title: 'Bulkhead report',
  description:
    'A Bulkhead report (bulkhead report --format json): the host and its engine, every selected container (posture with evidence, image findings, syscalls over the report window, a generated seccomp profile, anomalies and alerts), a summary and the methodology.',
  ...obj({
    format: lit('bulkhead-report'),
    formatVersion: lit(REPORT_FORMAT_VERSION),
    generator: obj({ name: lit('Bulkhead'), version: str }),
    generatedAt: millis,
    window: obj({ from: millis, to: millis }),
    source: ref('dataSource'),
    sections: arr(enm(REPORT_SECTIONS), { uniqueItems: true }),
    host: ref('host'),
    summary: ref('summary'),
    containers: arr(ref('container')),
    methodology: arr(ref('methodologyNote')),
    runtimeSource: nullable(str),
  }),
  $defs: DEFS,
};

/** The published file's text: the schema, pretty-printed, with a final newline. */
export function reportSchemaText(): string {
  return `${JSON.stringify(REPORT_JSON_SCHEMA, null, 2)}\n`;
}
