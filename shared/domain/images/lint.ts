import type { ImageConfigSummary, MergedFiles, SpecialFile } from '../packages/image.js';
import { secretCandidate } from '../packages/image.js';
import type { ImageLintFinding } from './report.js';

/**
 * Image lint in the style of Dockle and CIS Docker Benchmark v1.6 §4: pure rules over the image config and
 * the files the image reader kept (setuid/setgid files, secret-looking files with their content).
 *
 * Every rule yields exactly one finding (`pass` when clean), so a report always lists every check. Evidence
 * is inert text: values are JSON-quoted (control characters escaped), truncated, and secrets are redacted
 * to their first four characters.
 */

/** What the lint rules read. */
export interface ImageLintInput {
  readonly config: ImageConfigSummary;
  readonly files: MergedFiles;
  readonly specialFiles: readonly SpecialFile[];
  /** The repository tags naming the image (`repo:tag`). */
  readonly refs: readonly string[];
  /** The clock, for the image's age. */
  readonly now: number;
}

/** Images older than this are flagged (`warn`) by the age check. */
export const OLD_IMAGE_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_EVIDENCE = 20;
const MAX_TEXT = 160;

/** A value as inert, bounded text. */
function quote(value: string): string {
  const cut = value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  return JSON.stringify(cut);
}

/** A secret shown by its first four characters only. */
export function redact(value: string): string {
  if (value.length <= 4) return '"****"';
  return JSON.stringify(`${value.slice(0, 4)}****`);
}

function capped(lines: readonly string[]): string[] {
  if (lines.length <= MAX_EVIDENCE) return [...lines];
  return [...lines.slice(0, MAX_EVIDENCE), `… and ${lines.length - MAX_EVIDENCE} more`];
}

// ---------------------------------------------------------------------------------------------------------
// Secret detection

/** Key names that say the value is a credential. */
const SECRET_KEY =
  /(passw(or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth[_-]?key)/i;

/** Keys whose name matches SECRET_KEY but which are known not to hold a secret. */
const NOT_SECRET_KEY = /(_FILE|_PATH|_DIR|_URL_PATH)$/i;

/** Value patterns of well-known credentials, each with a name for the message. */
const SECRET_VALUES: readonly { readonly name: string; readonly re: RegExp }[] = [
  { name: 'AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: 'private key', re: /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/ },
  { name: 'Slack token', re: /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'password assignment', re: /\b(password|passwd|pwd)\s*[=:]\s*(?!\$|['"]?\s*$)[^\s'"&;]{3,}/i },
];

/** The name of the credential pattern a value matches, or null. */
export function secretInValue(value: string): { name: string; match: string } | null {
  for (const p of SECRET_VALUES) {
    const m = p.re.exec(value);
    if (m !== null) return { name: p.name, match: m[0] };
  }
  return null;
}

/** Whether `key` names a credential and `value` is a non-empty, non-placeholder value. */
function secretByKey(key: string, value: string): boolean {
  if (!SECRET_KEY.test(key) || NOT_SECRET_KEY.test(key)) return false;
  const v = value.trim();
  return v !== '' && !/^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|changeme|<.*>|x+|\*+|none|null|false|true)$/i.test(v);
}

/** Secrets in `KEY=value` style pairs, as evidence lines naming where they were found. */
function secretsInPairs(where: string, pairs: readonly (readonly [string, string])[]): string[] {
  const out: string[] = [];
  for (const [key, value] of pairs) {
    const byValue = secretInValue(value);
    if (byValue !== null) out.push(`${where} ${quote(key)}: ${byValue.name} ${redact(byValue.match)}`);
    else if (secretByKey(key, value))
      out.push(`${where} ${quote(key)}: credential-named key with value ${redact(value)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Rules

type Rule = (input: ImageLintInput) => ImageLintFinding;

function finding(
  base: Pick<ImageLintFinding, 'id' | 'reference' | 'title' | 'severity'>,
  status: ImageLintFinding['status'],
  message: string,
  evidence: readonly string[],
): ImageLintFinding {
  return { ...base, status, message, evidence: capped(evidence) };
}

/** CIS 4.1 / CIS-DI-0001: the image's default user is not root. */
const userRoot: Rule = ({ config }) => {
  const base = {
    id: 'image-user-root',
    reference: 'CIS 4.1 (CIS-DI-0001)',
    title: 'Runs as a non-root user',
    severity: 'high',
  } as const;
  const user = config.user.trim();
  const name = user.split(':')[0] ?? '';
  const evidence = [`Config.User = ${quote(config.user)}`];
  if (name === '' || name === 'root' || name === '0')
    return finding(base, 'fail', 'The image runs as root by default (no USER, or USER root).', evidence);
  return finding(base, 'pass', `The image runs as ${quote(user)} by default.`, evidence);
};

/** CIS 4.6 / CIS-DI-0006: the image declares a HEALTHCHECK. */
const healthcheck: Rule = ({ config }) => {
  const base = {
    id: 'image-no-healthcheck',
    reference: 'CIS 4.6 (CIS-DI-0006)',
    title: 'HEALTHCHECK instruction',
    severity: 'low',
  } as const;
  const hc = config.healthcheck;
  if (hc === null || hc.test.length === 0)
    return finding(base, 'warn', 'The image has no HEALTHCHECK.', ['Config.Healthcheck absent']);
  if (hc.test[0] === 'NONE')
    return finding(base, 'warn', 'The image disables the health check (HEALTHCHECK NONE).', [
      `Config.Healthcheck.Test = ${quote(hc.test.join(' '))}`,
    ]);
  return finding(base, 'pass', 'The image declares a HEALTHCHECK.', [
    `Config.Healthcheck.Test = ${quote(hc.test.join(' '))}`,
  ]);
};

/** Whether a history line is an ADD instruction (classic builder `#(nop) ADD`, BuildKit `ADD …`). */
function isAdd(createdBy: string): boolean {
  return /^(\/bin\/sh -c #\(nop\)\s+)?ADD\s/.test(createdBy.trim());
}

/** The base-image root filesystem (`ADD file:<hash> in /` as the first layer) is how base images are built. */
function isBaseRootfs(createdBy: string, index: number): boolean {
  return index === 0 && /ADD (file|multi):[0-9a-f]+ in \/\s*$/.test(createdBy.trim());
}

/** CIS 4.9 / CIS-DI-0009: COPY rather than ADD. */
const addInstruction: Rule = ({ config }) => {
  const base = {
    id: 'image-add-instruction',
    reference: 'CIS 4.9 (CIS-DI-0009)',
    title: 'COPY instead of ADD',
    severity: 'medium',
  } as const;
  const hits: string[] = [];
  config.history.forEach((h, i) => {
    if (isAdd(h.createdBy) && !isBaseRootfs(h.createdBy, i))
      hits.push(`history[${i}].created_by = ${quote(h.createdBy)}`);
  });
  if (hits.length > 0)
    return finding(
      base,
      'warn',
      `ADD is used in ${hits.length} build step(s); ADD fetches URLs and unpacks archives implicitly.`,
      hits,
    );
  return finding(
    base,
    'pass',
    config.history.length === 0 ? 'The image has no build history to check.' : 'No ADD in the build history.',
    [`${config.history.length} history entries`],
  );
};

function envPairs(env: readonly string[]): [string, string][] {
  return env.map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  });
}

/** CIS 4.10 / CIS-DI-0010: no secrets in ENV. */
const secretEnv: Rule = ({ config }) => {
  const base = {
    id: 'image-secret-env',
    reference: 'CIS 4.10 (CIS-DI-0010)',
    title: 'No secrets in ENV',
    severity: 'critical',
  } as const;
  const hits = secretsInPairs('Config.Env', envPairs(config.env));
  if (hits.length > 0)
    return finding(base, 'fail', `${hits.length} environment variable(s) look like credentials.`, hits);
  return finding(base, 'pass', 'No credentials in the image environment.', [
    `${config.env.length} variables checked`,
  ]);
};

/** CIS 4.10: no secrets in labels. */
const secretLabels: Rule = ({ config }) => {
  const base = {
    id: 'image-secret-label',
    reference: 'CIS 4.10 (CIS-DI-0010)',
    title: 'No secrets in labels',
    severity: 'high',
  } as const;
  const entries = Object.entries(config.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hits = secretsInPairs('Config.Labels', entries);
  if (hits.length > 0) return finding(base, 'fail', `${hits.length} label(s) look like credentials.`, hits);
  return finding(base, 'pass', 'No credentials in the image labels.', [`${entries.length} labels checked`]);
};

/** CIS 4.10: no secrets in the build history (build arguments and RUN lines are kept in the image). */
const secretHistory: Rule = ({ config }) => {
  const base = {
    id: 'image-secret-history',
    reference: 'CIS 4.10 (CIS-DI-0010)',
    title: 'No secrets in the build history',
    severity: 'critical',
  } as const;
  const hits: string[] = [];
  config.history.forEach((h, i) => {
    const byValue = secretInValue(h.createdBy);
    if (byValue !== null) {
      hits.push(`history[${i}].created_by: ${byValue.name} ${redact(byValue.match)}`);
      return;
    }
    // Build arguments and ENV in history: `|2 API_TOKEN=abc … /bin/sh -c …`, `ENV PASSWORD=…`.
    for (const m of h.createdBy.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s]*)/g)) {
      const key = m[1] as string;
      const value = (m[2] as string).replace(/^["']|["']$/g, '');
      if (secretByKey(key, value)) {
        hits.push(`history[${i}].created_by ${quote(key)}: credential-named key with value ${redact(value)}`);
        break;
      }
    }
  });
  if (hits.length > 0)
    return finding(base, 'fail', `${hits.length} build step(s) carry what looks like a credential.`, hits);
  return finding(base, 'pass', 'No credentials in the build history.', [
    `${config.history.length} history entries checked`,
  ]);
};

/** CIS 4.8 / CIS-DI-0008: setuid and setgid files, listed for review. */
const setuidFiles: Rule = ({ specialFiles }) => {
  const base = {
    id: 'image-setuid-files',
    reference: 'CIS 4.8 (CIS-DI-0008)',
    title: 'setuid/setgid files',
    severity: 'low',
  } as const;
  if (specialFiles.length === 0) return finding(base, 'pass', 'No setuid or setgid files.', []);
  const lines = specialFiles.map(
    (f) =>
      `${quote(f.path)} mode ${f.mode.toString(8).padStart(4, '0')}${f.setuid ? ' setuid' : ''}${f.setgid ? ' setgid' : ''} uid ${f.uid} gid ${f.gid} (layer ${f.layer + 1})`,
  );
  return finding(
    base,
    'warn',
    `${specialFiles.length} setuid/setgid file(s); remove the bits where they are not needed.`,
    lines,
  );
};

/** Latin-1 view of the first bytes of a file: enough to find an ASCII PEM header without a text decoder. */
function head(bytes: Uint8Array, limit = 256 * 1024): string {
  const n = Math.min(bytes.length, limit);
  let out = '';
  for (let i = 0; i < n; i += 8192) out += String.fromCharCode(...bytes.subarray(i, Math.min(n, i + 8192)));
  return out;
}

const PRIVATE_KEY_HEADER = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/;
const KEY_FILE_NAME = /^id_(rsa|dsa|ecdsa|ed25519)$/;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Secret files in the image, sorted by path. */
function secretFiles(files: MergedFiles): { keys: string[]; envFiles: string[]; credentials: string[] } {
  const keys: string[] = [];
  const envFiles: string[] = [];
  const credentials: string[] = [];
  const paths = [...files.values()]
    .filter((e) => e.kind === 'file' && secretCandidate(e.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of paths) {
    if (e.kind !== 'file') continue;
    const name = baseName(e.path);
    const where = `${quote(e.path)} (${e.size} bytes, layer ${e.layer + 1})`;
    const text = e.content === null ? null : head(e.content);
    if (/^\.env(\..+)?$/.test(name)) {
      if (!/\.(example|sample|template|dist)$/.test(name)) envFiles.push(where);
    } else if (
      (text !== null && PRIVATE_KEY_HEADER.test(text)) ||
      (text === null && KEY_FILE_NAME.test(name))
    ) {
      keys.push(where);
    } else if (
      /^(\.netrc|\.git-credentials|\.pgpass|credentials)$/.test(name) ||
      (/^\.(npmrc|pypirc)$/.test(name) && text !== null && /(_authToken|_auth|password)\s*[=:]/i.test(text))
    ) {
      credentials.push(where);
    } else if (KEY_FILE_NAME.test(name) && text !== null && !/PUBLIC KEY|ssh-/.test(text)) {
      keys.push(where);
    }
  }
  return { keys, envFiles, credentials };
}

/** CIS 4.10 / CIS-DI-0010: no private keys in the image's files. */
const privateKeys: Rule = ({ files }) => {
  const base = {
    id: 'image-private-key',
    reference: 'CIS 4.10 (CIS-DI-0010)',
    title: 'No private keys in the image',
    severity: 'critical',
  } as const;
  const { keys } = secretFiles(files);
  if (keys.length > 0) return finding(base, 'fail', `${keys.length} private key file(s) in the image.`, keys);
  return finding(base, 'pass', 'No private key files in the image.', []);
};

/** CIS 4.10 / CIS-DI-0010: no `.env` or credential files in the image. */
const secretFilesRule: Rule = ({ files }) => {
  const base = {
    id: 'image-secret-files',
    reference: 'CIS 4.10 (CIS-DI-0010)',
    title: 'No .env or credential files in the image',
    severity: 'high',
  } as const;
  const { envFiles, credentials } = secretFiles(files);
  const lines = [...envFiles.map((l) => `.env file ${l}`), ...credentials.map((l) => `credential file ${l}`)];
  if (lines.length > 0)
    return finding(base, 'fail', `${lines.length} .env or credential file(s) in the image.`, lines);
  return finding(base, 'pass', 'No .env or credential files in the image.', []);
};

/** DKL-DI-0006: the image is not known by a `latest` (or missing) tag only. */
const latestTag: Rule = ({ refs }) => {
  const base = {
    id: 'image-latest-tag',
    reference: 'DKL-DI-0006',
    title: 'Pinned tag (not latest)',
    severity: 'low',
  } as const;
  if (refs.length === 0)
    return finding(base, 'info', 'The image has no tag; it is known by its id only.', []);
  const tagOf = (ref: string): string => {
    const at = ref.indexOf('@');
    const name = at < 0 ? ref : ref.slice(0, at);
    const colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : 'latest';
  };
  const latest = refs.filter((r) => tagOf(r) === 'latest');
  const evidence = refs.map((r) => `tag ${quote(r)}`);
  if (latest.length === refs.length)
    return finding(
      base,
      'warn',
      'The image is tagged `latest` only; the tag moves, so what runs is unclear.',
      evidence,
    );
  return finding(base, 'pass', 'The image has a pinned tag.', evidence);
};

/** The image's whole days of age at `now`, from its `Created` timestamp; null when it has none. */
export function imageAgeDays(created: string | null, now: number): number | null {
  if (created === null) return null;
  const t = Date.parse(created);
  if (Number.isNaN(t) || t <= 0) return null;
  return Math.max(0, Math.floor((now - t) / DAY_MS));
}

/** The image's age, from `Created`: old images miss every fix since. */
const imageAge: Rule = ({ config, now }) => {
  const base = { id: 'image-age', reference: null, title: 'Image age', severity: 'medium' } as const;
  const days = imageAgeDays(config.created, now);
  if (days === null)
    return finding(base, 'info', 'The image has no creation date.', [
      `created = ${quote(config.created ?? '')}`,
    ]);
  const evidence = [`created = ${quote(config.created ?? '')}`];
  if (days > OLD_IMAGE_DAYS)
    return finding(
      base,
      'warn',
      `The image was built ${days} days ago (more than ${OLD_IMAGE_DAYS}); rebuild it to pick up fixes.`,
      evidence,
    );
  return finding(base, 'pass', `The image was built ${days} day(s) ago.`, evidence);
};

/** Every lint rule, in display order. */
export const IMAGE_LINT_RULES: readonly Rule[] = [
  userRoot,
  healthcheck,
  addInstruction,
  secretEnv,
  secretLabels,
  secretHistory,
  privateKeys,
  secretFilesRule,
  setuidFiles,
  latestTag,
  imageAge,
];

/** Run every lint rule over one image. */
export function lintImage(input: ImageLintInput): ImageLintFinding[] {
  return IMAGE_LINT_RULES.map((rule) => rule(input));
}
