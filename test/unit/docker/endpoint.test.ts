import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { contextDirName, resolveEndpoint } from '../../../electron/adapters/docker/endpoint.js';
import type { ResolvedEndpoint } from '../../../electron/adapters/docker/endpoint.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

let home: string;
let config: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'bh-endpoint-'));
  config = join(home, '.docker');
  mkdirSync(config);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** A docker context as `docker context create` stores it. */
function writeContext(
  configDir: string,
  name: string,
  host: string,
  opts: { skipTls?: boolean; tls?: boolean } = {},
) {
  const dir = createHash('sha256').update(name).digest('hex');
  write(
    join(configDir, 'contexts', 'meta', dir, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: { Description: 'test' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: opts.skipTls ?? false } },
    }),
  );
  if (opts.tls === true) {
    for (const f of ['ca', 'cert', 'key']) {
      write(join(configDir, 'contexts', 'tls', dir, 'docker', `${f}.pem`), `context-${name}-${f}`);
    }
  }
}

function resolve(env: Record<string, string | undefined>): ResolvedEndpoint {
  return resolveEndpoint({ env, homeDir: home, readFile: (p) => readFileSync(p) });
}

function resolveError(env: Record<string, string | undefined>): BulkheadError {
  try {
    resolve(env);
  } catch (e) {
    expect(e).toBeInstanceOf(BulkheadError);
    return e as BulkheadError;
  }
  throw new Error('expected resolveEndpoint to throw');
}

describe('resolveEndpoint: DOCKER_HOST', () => {
  const cases: {
    name: string;
    host: string;
    url: string;
    transport: string;
    local: boolean;
    options: Record<string, unknown>;
  }[] = [
    {
      name: 'unix socket',
      host: 'unix:///run/user/1000/docker.sock',
      url: 'unix:///run/user/1000/docker.sock',
      transport: 'unix',
      local: true,
      options: { socketPath: '/run/user/1000/docker.sock', host: undefined },
    },
    {
      name: 'unix:// without a path means the default socket',
      host: 'unix://',
      url: 'unix:///var/run/docker.sock',
      transport: 'unix',
      local: true,
      options: { socketPath: '/var/run/docker.sock' },
    },
    {
      name: 'tcp with port',
      host: 'tcp://10.0.0.5:2375',
      url: 'tcp://10.0.0.5:2375',
      transport: 'tcp',
      local: false,
      options: { host: '10.0.0.5', port: 2375, protocol: 'http', socketPath: undefined },
    },
    {
      name: 'tcp without port gets 2375',
      host: 'tcp://docker.example',
      url: 'tcp://docker.example:2375',
      transport: 'tcp',
      local: false,
      options: { host: 'docker.example', port: 2375, protocol: 'http' },
    },
    {
      name: 'bare host:port means tcp (like the docker CLI)',
      host: '127.0.0.1:2375',
      url: 'tcp://127.0.0.1:2375',
      transport: 'tcp',
      local: false,
      options: { host: '127.0.0.1', port: 2375, protocol: 'http' },
    },
    {
      name: 'ssh with user and port',
      host: 'ssh://deploy@build-host:2222',
      url: 'ssh://deploy@build-host:2222',
      transport: 'ssh',
      local: false,
      options: { protocol: 'ssh', host: 'build-host', port: 2222, username: 'deploy' },
    },
    {
      name: 'ssh default port 22',
      host: 'ssh://build-host',
      url: 'ssh://build-host:22',
      transport: 'ssh',
      local: false,
      options: { protocol: 'ssh', host: 'build-host', port: 22 },
    },
    {
      name: 'npipe',
      host: 'npipe:////./pipe/docker_engine',
      url: 'npipe:////./pipe/docker_engine',
      transport: 'npipe',
      local: true,
      options: { socketPath: '//./pipe/docker_engine' },
    },
  ];
  it.each(cases)('$name', ({ host, url, transport, local, options }) => {
    const r = resolve({ DOCKER_HOST: host });
    expect(r.description).toEqual({ url, transport, tls: false, source: 'DOCKER_HOST', local });
    expect(r.dockerodeOptions).toMatchObject(options);
  });

  it('passes the ssh agent socket to ssh2', () => {
    const r = resolve({ DOCKER_HOST: 'ssh://me@h', SSH_AUTH_SOCK: '/tmp/agent.sock' });
    expect(r.dockerodeOptions.sshOptions).toEqual({ agent: '/tmp/agent.sock' });
  });

  it('an empty DOCKER_HOST counts as unset', () => {
    expect(resolve({ DOCKER_HOST: '' }).description.url).toBe('unix:///var/run/docker.sock');
  });
});

describe('resolveEndpoint: TLS', () => {
  it('DOCKER_TLS_VERIFY + DOCKER_CERT_PATH: https with the three pem files', () => {
    const certs = join(home, 'certs');
    write(join(certs, 'ca.pem'), 'CA-PEM');
    write(join(certs, 'cert.pem'), 'CERT-PEM');
    write(join(certs, 'key.pem'), 'KEY-PEM');
    const r = resolve({ DOCKER_HOST: 'tcp://10.0.0.5', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    expect(r.description).toEqual({
      url: 'tcp://10.0.0.5:2376',
      transport: 'tcp',
      tls: true,
      source: 'DOCKER_HOST',
      local: false,
    });
    expect(r.dockerodeOptions.protocol).toBe('https');
    expect(r.dockerodeOptions.port).toBe(2376);
    expect(String(r.dockerodeOptions.ca as Buffer)).toBe('CA-PEM');
    expect(String(r.dockerodeOptions.cert as Buffer)).toBe('CERT-PEM');
    expect(String(r.dockerodeOptions.key as Buffer)).toBe('KEY-PEM');
    expect(r.dockerodeOptions.agent).toBeUndefined();
  });

  it('DOCKER_TLS_VERIFY without DOCKER_CERT_PATH reads the certs from DOCKER_CONFIG', () => {
    const custom = join(home, 'elsewhere');
    write(join(custom, 'ca.pem'), 'CONFIG-CA');
    const r = resolve({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: 'yes', DOCKER_CONFIG: custom });
    expect(r.description.tls).toBe(true);
    expect(String(r.dockerodeOptions.ca as Buffer)).toBe('CONFIG-CA');
    // Missing cert/key are simply not sent, as the docker CLI does.
    expect(r.dockerodeOptions.cert).toBeUndefined();
  });

  it('without DOCKER_TLS_VERIFY, tcp is plain http even when certs lie around', () => {
    const certs = join(home, 'certs');
    write(join(certs, 'ca.pem'), 'CA-PEM');
    const r = resolve({ DOCKER_HOST: 'tcp://h:2375', DOCKER_CERT_PATH: certs });
    expect(r.description.tls).toBe(false);
    expect(r.dockerodeOptions.protocol).toBe('http');
    expect(r.dockerodeOptions.ca).toBeUndefined();
  });
});

describe('resolveEndpoint: contexts', () => {
  it('default: no DOCKER_HOST, no context → the default unix socket', () => {
    const r = resolve({});
    expect(r.description).toEqual({
      url: 'unix:///var/run/docker.sock',
      transport: 'unix',
      tls: false,
      source: 'default',
      local: true,
    });
    expect(r.dockerodeOptions.socketPath).toBe('/var/run/docker.sock');
  });

  it('the context directory is the sha256 of the name', () => {
    expect(contextDirName('colima')).toBe(createHash('sha256').update('colima').digest('hex'));
    expect(contextDirName('colima')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('DOCKER_CONTEXT selects a context from $DOCKER_CONFIG/contexts/meta/<sha256>/meta.json', () => {
    writeContext(config, 'colima', 'unix:///home/me/.colima/default/docker.sock');
    const r = resolve({ DOCKER_CONTEXT: 'colima' });
    expect(r.description).toEqual({
      url: 'unix:///home/me/.colima/default/docker.sock',
      transport: 'unix',
      tls: false,
      source: 'context "colima"',
      local: true,
    });
  });

  it('currentContext in config.json is used when DOCKER_CONTEXT is unset', () => {
    writeContext(config, 'remote', 'tcp://192.168.1.20:2376', { tls: true });
    write(join(config, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'remote' }));
    const r = resolve({});
    expect(r.description).toEqual({
      url: 'tcp://192.168.1.20:2376',
      transport: 'tcp',
      tls: true,
      source: 'context "remote"',
      local: false,
    });
    // TLS material comes from the context's own tls directory.
    expect(String(r.dockerodeOptions.ca as Buffer)).toBe('context-remote-ca');
    expect(String(r.dockerodeOptions.key as Buffer)).toBe('context-remote-key');
  });

  it('DOCKER_CONFIG moves the whole configuration directory', () => {
    const custom = join(home, 'custom-config');
    writeContext(custom, 'ci', 'tcp://ci-host:2375');
    write(join(custom, 'config.json'), JSON.stringify({ currentContext: 'ci' }));
    expect(resolve({ DOCKER_CONFIG: custom }).description.url).toBe('tcp://ci-host:2375');
  });

  it('DOCKER_CONTEXT beats currentContext', () => {
    writeContext(config, 'a', 'tcp://a-host:2375');
    writeContext(config, 'b', 'tcp://b-host:2375');
    write(join(config, 'config.json'), JSON.stringify({ currentContext: 'a' }));
    expect(resolve({ DOCKER_CONTEXT: 'b' }).description.url).toBe('tcp://b-host:2375');
  });

  it('DOCKER_HOST beats DOCKER_CONTEXT and currentContext', () => {
    writeContext(config, 'a', 'tcp://a-host:2375');
    write(join(config, 'config.json'), JSON.stringify({ currentContext: 'a' }));
    const r = resolve({ DOCKER_HOST: 'unix:///tmp/x.sock', DOCKER_CONTEXT: 'a' });
    expect(r.description.url).toBe('unix:///tmp/x.sock');
    expect(r.description.source).toBe('DOCKER_HOST');
  });

  it('the context named "default" is the default endpoint', () => {
    expect(resolve({ DOCKER_CONTEXT: 'default' }).description.url).toBe('unix:///var/run/docker.sock');
  });

  it('SkipTLSVerify in a context: TLS without certificate verification', () => {
    writeContext(config, 'lab', 'tcp://lab:2376', { skipTls: true });
    const r = resolve({ DOCKER_CONTEXT: 'lab' });
    expect(r.description.tls).toBe(true);
    expect(r.dockerodeOptions.protocol).toBe('https');
    expect(r.dockerodeOptions.agent?.options.rejectUnauthorized).toBe(false);
  });

  it('an ssh context', () => {
    writeContext(config, 'box', 'ssh://ops@box.example');
    const r = resolve({ DOCKER_CONTEXT: 'box' });
    expect(r.description).toMatchObject({ url: 'ssh://ops@box.example:22', transport: 'ssh', local: false });
    expect(r.dockerodeOptions).toMatchObject({
      protocol: 'ssh',
      host: 'box.example',
      username: 'ops',
      port: 22,
    });
  });
});

describe('resolveEndpoint: clear errors', () => {
  it('a context that does not exist (DOCKER_CONTEXT)', () => {
    const e = resolveError({ DOCKER_CONTEXT: 'nope' });
    expect(e.code).toBe('docker-error');
    expect(e.message).toContain('docker context "nope" (from DOCKER_CONTEXT) does not exist');
    expect(e.message).toContain(contextDirName('nope'));
  });

  it('a currentContext that does not exist names config.json', () => {
    write(join(config, 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    const e = resolveError({});
    expect(e.message).toContain('docker context "gone"');
    expect(e.message).toContain(join(config, 'config.json'));
  });

  it('a context without a docker endpoint', () => {
    const dir = contextDirName('empty');
    write(
      join(config, 'contexts', 'meta', dir, 'meta.json'),
      JSON.stringify({ Name: 'empty', Endpoints: {} }),
    );
    expect(resolveError({ DOCKER_CONTEXT: 'empty' }).message).toContain('has no docker endpoint host');
  });

  it('a corrupt config.json', () => {
    write(join(config, 'config.json'), '{ not json');
    const e = resolveError({});
    expect(e.code).toBe('docker-error');
    expect(e.message).toContain('config.json is not valid JSON');
  });

  it.each([
    ['http://h:2375', 'scheme "http"'],
    ['fd://', 'scheme "fd"'],
    ['gopher://h', 'scheme "gopher"'],
  ])('an unsupported scheme: %s', (host, expected) => {
    const e = resolveError({ DOCKER_HOST: host });
    expect(e.code).toBe('docker-error');
    expect(e.message).toContain(expected);
    expect(e.message).toContain('unix, tcp, ssh, npipe');
  });

  it('an ssh URL with a path', () => {
    expect(resolveError({ DOCKER_HOST: 'ssh://h/some/path' }).message).toContain('extra path after the host');
  });

  it('a tcp URL that does not parse', () => {
    expect(resolveError({ DOCKER_HOST: 'tcp://[::1' }).message).toContain('invalid Docker endpoint');
  });
});
