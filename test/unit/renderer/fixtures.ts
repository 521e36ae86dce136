import type { ContainerList, ContainerSummary } from '../../../shared/domain/container.js';
import type { ConnectionState, EndpointDescription, EngineInfo } from '../../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';

// Typed builders for pure-state tests. They stand for nothing real and are never rendered as if they were.

export const endpoint: EndpointDescription = {
  url: 'unix:///var/run/docker.sock',
  transport: 'unix',
  tls: false,
  source: 'default',
  local: true,
};

export const engineInfo: EngineInfo = {
  id: 'ENGINE',
  name: 'host-1',
  version: '20.10.24',
  apiVersion: '1.41',
  os: 'linux',
  arch: 'amd64',
  kernelVersion: '6.1.0',
  operatingSystem: 'Debian GNU/Linux 12',
};

export const ms = (n: number): EpochMillis => n as EpochMillis;

export function id(ch: string): ContainerId {
  return ch.repeat(64).slice(0, 64) as ContainerId;
}

export function container(over: Partial<ContainerSummary> & { name: string }): ContainerSummary {
  return {
    id: id('a'),
    image: 'bulkhead-test/busybox:1',
    imageId: `sha256:${'b'.repeat(64)}`,
    state: 'running',
    status: 'Up 1 second',
    createdAt: ms(1_000),
    startedAt: ms(2_000),
    finishedAt: null,
    exitCode: null,
    pid: 42,
    labels: {},
    ...over,
  };
}

export function liveList(containers: ContainerSummary[] = []): ContainerList {
  return { source: { kind: 'live' }, engineName: 'host-1', containers, problems: [] };
}

export function demoList(): ContainerList {
  return {
    source: {
      kind: 'demo',
      recordedAt: ms(Date.UTC(2025, 11, 3, 18, 40)),
      recordedOn: 'Docker 20.10.24 on linux/amd64',
      reason: 'Docker engine not reachable at unix:///tmp/x.sock (ENOENT)',
    },
    engineName: 'recorder',
    containers: [container({ name: 'demo-web' })],
    problems: [],
  };
}

export const connected: ConnectionState = { phase: 'connected', endpoint, since: ms(0), engine: engineInfo };

export function disconnected(
  code: 'docker-unreachable' | 'docker-permission-denied' | 'docker-error',
  retryAt: number | null,
): ConnectionState {
  return {
    phase: 'disconnected',
    endpoint,
    since: ms(0),
    error: { code, message: `adapter says ${code}` },
    retryAt: retryAt === null ? null : ms(retryAt),
  };
}
