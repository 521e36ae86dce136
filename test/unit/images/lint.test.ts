import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { ImageLintInput } from '../../../shared/domain/images/lint.js';
import { imageAgeDays, lintImage, redact, secretInValue } from '../../../shared/domain/images/lint.js';
import type { ImageLintFinding } from '../../../shared/domain/images/report.js';
import type { MergedEntry, MergedFiles } from '../../../shared/domain/packages/image.js';
import { mapImageConfig, secretCandidate, specialFiles } from '../../../shared/domain/packages/image.js';

// Image configs recorded with `docker save` from the test images (see fixtures/images/README.md): the
// mmdebstrap Debian image, the busybox image, and a Dockerfile-built image carrying deliberate problems.
const FIXTURES = join(import.meta.dirname, '../../fixtures/images');
const config = (name: string): ReturnType<typeof mapImageConfig> =>
  mapImageConfig(JSON.parse(readFileSync(join(FIXTURES, `${name}.config.json`), 'utf8')) as unknown);

const NOW = Date.parse('2026-12-04T00:00:00Z');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function files(
  entries: readonly Omit<MergedEntry & { kind: 'file' }, 'kind' | 'uid' | 'gid' | 'size'>[],
): MergedFiles {
  const m = new Map<string, MergedEntry>();
  for (const e of entries)
    m.set(e.path, { kind: 'file', uid: 0, gid: 0, size: e.content?.length ?? 0, ...e });
  return m;
}

function input(over: Partial<ImageLintInput> & Pick<ImageLintInput, 'config'>): ImageLintInput {
  const f = over.files ?? new Map();
  return { files: f, specialFiles: specialFiles(f), refs: [], now: NOW, ...over };
}

function byId(findings: readonly ImageLintFinding[], id: string): ImageLintFinding {
  const f = findings.find((x) => x.id === id);
  if (f === undefined) throw new Error(`no finding ${id}`);
  return f;
}

describe('image lint on the recorded Debian image config', () => {
  const findings = lintImage(
    input({ config: config('bulkhead-test_debian_bookworm'), refs: ['bulkhead-test/debian:bookworm'] }),
  );

  it('yields one finding per rule, with stable ids', () => {
    expect(findings.map((f) => f.id)).toEqual([
      'image-user-root',
      'image-no-healthcheck',
      'image-add-instruction',
      'image-secret-env',
      'image-secret-label',
      'image-secret-history',
      'image-private-key',
      'image-secret-files',
      'image-setuid-files',
      'image-latest-tag',
      'image-age',
    ]);
  });

  it('flags root and the missing HEALTHCHECK, passes the rest', () => {
    expect(byId(findings, 'image-user-root').status).toBe('fail');
    expect(byId(findings, 'image-user-root').evidence).toEqual(['Config.User = ""']);
    expect(byId(findings, 'image-no-healthcheck').status).toBe('warn');
    for (const id of [
      'image-add-instruction',
      'image-secret-env',
      'image-secret-label',
      'image-secret-history',
      'image-latest-tag',
    ])
      expect(byId(findings, id).status, id).toBe('pass');
  });

  it('computes the age from Created', () => {
    const created = config('bulkhead-test_debian_bookworm').created as string;
    const days = Math.floor((NOW - Date.parse(created)) / 86_400_000);
    expect(byId(findings, 'image-age').message).toContain(`${days} day`);
    expect(imageAgeDays(created, NOW + 100 * 86_400_000)).toBe(days + 100);
    expect(
      byId(
        lintImage(input({ config: config('bulkhead-test_debian_bookworm'), now: NOW + 100 * 86_400_000 })),
        'image-age',
      ).status,
    ).toBe('warn');
  });
});

const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n';

describe('image lint on the recorded lint-fixture image config (built with deliberate problems)', () => {
  const cfg = config('bulkhead-test_lint-fixture_1');
  const findings = lintImage(
    input({
      config: cfg,
      refs: ['bulkhead-test/lint-fixture:1'],
      files: files([
        { path: '/opt/app/tool', mode: 0o104755, layer: 1, content: null },
        { path: '/opt/app/.env', mode: 0o100644, layer: 2, content: bytes('DB_PASSWORD=hunter22\n') },
        { path: '/root/.ssh/id_rsa', mode: 0o100600, layer: 3, content: bytes(KEY) },
        {
          path: '/etc/ssl/certs/ca.pem',
          mode: 0o100644,
          layer: 0,
          content: bytes('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
        },
      ]),
    }),
  );

  it('passes the user check for USER 1000:1000', () => {
    expect(cfg.user).toBe('1000:1000');
    expect(byId(findings, 'image-user-root').status).toBe('pass');
  });

  it('finds the AWS key in ENV, redacted, and ignores *_FILE pointers', () => {
    const env = byId(findings, 'image-secret-env');
    expect(env.status).toBe('fail');
    expect(env.evidence).toEqual(['Config.Env "AWS_ACCESS_KEY_ID": AWS access key id "AKIA****"']);
    expect(env.evidence.join()).not.toContain('IOSFODNN7EXAMPLE');
  });

  it('finds the GitHub token in a label; the hostile label stays inert', () => {
    const labels = byId(findings, 'image-secret-label');
    expect(labels.status).toBe('fail');
    expect(labels.evidence).toEqual(['Config.Labels "deploy.token": GitHub token "ghp_****"']);
    // No finding carries a raw control character (the ESC of the label never reaches the evidence raw).
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f]/;
    for (const f of findings) for (const e of [f.message, ...f.evidence]) expect(e).not.toMatch(control);
  });

  it('finds the build argument and the token in the history', () => {
    const h = byId(findings, 'image-secret-history');
    expect(h.status).toBe('fail');
    expect(h.evidence.some((e) => e.includes('"API_TOKEN"') && e.includes('"s3cr****"'))).toBe(true);
    expect(h.evidence.some((e) => e.includes('GitHub token'))).toBe(true);
    expect(h.evidence.join()).not.toContain('s3cr3t-build-arg');
  });

  it('flags ADD (not the COPY), the private key (not the certificate), the .env file and the setuid file', () => {
    const add = byId(findings, 'image-add-instruction');
    expect(add.status).toBe('warn');
    expect(add.evidence).toHaveLength(1);
    expect(add.evidence[0]).toContain('ADD file:');
    expect(byId(findings, 'image-private-key').evidence).toEqual([
      `"/root/.ssh/id_rsa" (${KEY.length} bytes, layer 4)`,
    ]);
    expect(byId(findings, 'image-secret-files').evidence).toEqual([
      '.env file "/opt/app/.env" (21 bytes, layer 3)',
    ]);
    const suid = byId(findings, 'image-setuid-files');
    expect(suid.status).toBe('warn');
    expect(suid.evidence).toEqual(['"/opt/app/tool" mode 4755 setuid uid 0 gid 0 (layer 2)']);
  });
});

describe('lint rules in detail', () => {
  const base = config('bulkhead-test_busybox_1');

  it('treats USER root, 0 and 0:0 as root', () => {
    for (const user of ['root', '0', '0:0', 'root:root', ''])
      expect(byId(lintImage(input({ config: { ...base, user } })), 'image-user-root').status, user).toBe(
        'fail',
      );
    expect(byId(lintImage(input({ config: { ...base, user: 'app' } })), 'image-user-root').status).toBe(
      'pass',
    );
  });

  it('reports HEALTHCHECK NONE as disabled and a real one as pass', () => {
    const hc = { test: ['NONE'], intervalNs: null, timeoutNs: null, startPeriodNs: null, retries: null };
    expect(
      byId(lintImage(input({ config: { ...base, healthcheck: hc } })), 'image-no-healthcheck').message,
    ).toContain('NONE');
    expect(
      byId(
        lintImage(input({ config: { ...base, healthcheck: { ...hc, test: ['CMD', 'true'] } } })),
        'image-no-healthcheck',
      ).status,
    ).toBe('pass');
  });

  it('does not count the base rootfs ADD of the first layer, counts a BuildKit ADD', () => {
    const history = (createdBy: string, more: string[] = []) => ({
      ...base,
      history: [createdBy, ...more].map((c) => ({
        created: null,
        createdBy: c,
        comment: '',
        emptyLayer: false,
      })),
    });
    expect(
      byId(
        lintImage(input({ config: history('/bin/sh -c #(nop) ADD file:0a1b2c in / ') })),
        'image-add-instruction',
      ).status,
    ).toBe('pass');
    expect(
      byId(
        lintImage(
          input({
            config: history('/bin/sh -c #(nop) ADD file:0a1b2c in / ', [
              'ADD https://example.com/x.tgz /x # buildkit',
            ]),
          }),
        ),
        'image-add-instruction',
      ).status,
    ).toBe('warn');
  });

  it('recognises credential values and names, not placeholders', () => {
    expect(secretInValue('ghp_0123456789abcdefghijklmnopqrstuvwxyzAB')?.name).toBe('GitHub token');
    expect(secretInValue('x -----BEGIN RSA PRIVATE KEY----- y')?.name).toBe('private key');
    expect(secretInValue('mysql://u --password=hunter22')?.name).toBe('password assignment');
    expect(secretInValue('password=$DB_PASSWORD')).toBeNull();
    expect(secretInValue('PATH=/usr/bin')).toBeNull();
    const env = (e: string[]) => byId(lintImage(input({ config: { ...base, env: e } })), 'image-secret-env');
    expect(env(['DB_PASSWORD=${DB_PASSWORD}', 'API_TOKEN=', 'PASSWORD_FILE=/run/secrets/x']).status).toBe(
      'pass',
    );
    expect(env(['MYSQL_ROOT_PASSWORD=rootpw123']).evidence).toEqual([
      'Config.Env "MYSQL_ROOT_PASSWORD": credential-named key with value "root****"',
    ]);
    expect(redact('abc')).toBe('"****"');
  });

  it('tags: latest only warns, untagged is info, pinned passes', () => {
    const tag = (refs: string[]) => byId(lintImage(input({ config: base, refs })), 'image-latest-tag').status;
    expect(tag(['nginx:latest'])).toBe('warn');
    expect(tag(['registry:5000/nginx'])).toBe('warn');
    expect(tag(['nginx:latest', 'nginx:1.25'])).toBe('pass');
    expect(tag([])).toBe('info');
  });

  it('keeps secret-looking files for the reader, but not documentation', () => {
    expect(secretCandidate('/app/.env')).toBe(true);
    expect(secretCandidate('/home/u/.ssh/id_ed25519')).toBe(true);
    expect(secretCandidate('/etc/ssl/private/ssl-cert-snakeoil.key')).toBe(true);
    expect(secretCandidate('/root/.aws/credentials')).toBe(true);
    expect(secretCandidate('/usr/share/doc/x/example.pem')).toBe(false);
    expect(secretCandidate('/etc/environment')).toBe(false);
  });

  it('caps long evidence lists', () => {
    const many = files(
      Array.from({ length: 30 }, (_, i) => ({
        path: `/bin/s${String(i).padStart(2, '0')}`,
        mode: 0o104755,
        layer: 0,
        content: null,
      })),
    );
    const f = byId(lintImage(input({ config: base, files: many })), 'image-setuid-files');
    expect(f.message).toContain('30 setuid');
    expect(f.evidence).toHaveLength(21);
    expect(f.evidence[20]).toBe('… and 10 more');
  });
});
