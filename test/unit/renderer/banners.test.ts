import { describe, expect, it } from 'vitest';

import type { AppDescription } from '../../../shared/ipc/contract.js';
import { deriveBanners, engineProblemTitle } from '../../../renderer/src/state/banners.js';
import type { BannerInput } from '../../../renderer/src/state/banners.js';
import { applyTransportState, initialWebSocketView } from '../../../renderer/src/state/transport.js';
import type { TransportView } from '../../../renderer/src/state/transport.js';
import { connected, demoList, disconnected, endpoint, liveList, ms } from './fixtures.js';

const ipc: TransportView = { kind: 'ipc' };
const app = (over: Partial<AppDescription> = {}): AppDescription => ({
  version: '0.1.0',
  mode: 'browser',
  demoAvailable: true,
  showDemoWhenDisconnected: true,
  ...over,
});
const input = (over: Partial<BannerInput>): BannerInput => ({
  transport: ipc,
  connection: connected,
  app: app(),
  list: liveList(),
  now: 10_000,
  ...over,
});

describe('deriveBanners', () => {
  it('shows nothing when connected to a live engine', () => {
    expect(deriveBanners(input({}))).toEqual([]);
  });

  it('says connecting while the engine has not answered yet', () => {
    const banners = deriveBanners(input({ connection: { phase: 'connecting', endpoint, since: ms(0) } }));
    expect(banners).toEqual([{ kind: 'engine-connecting', endpoint: 'unix:///var/run/docker.sock' }]);
  });

  it('names the endpoint and counts down to the next retry when unreachable', () => {
    const banners = deriveBanners(
      input({ connection: disconnected('docker-unreachable', 13_400), list: null }),
    );
    expect(banners).toEqual([
      {
        kind: 'engine-disconnected',
        code: 'docker-unreachable',
        title: 'Docker engine not reachable at unix:///var/run/docker.sock',
        detail: 'adapter says docker-unreachable',
        retryInSeconds: 4,
        offerDemo: false,
      },
    ]);
  });

  it('shows the permission message (with its remedy) by code, and offers hidden demo data', () => {
    const [banner] = deriveBanners(
      input({
        connection: disconnected('docker-permission-denied', null),
        app: app({ showDemoWhenDisconnected: false }),
        list: null,
      }),
    );
    expect(banner).toMatchObject({
      kind: 'engine-disconnected',
      title: 'No permission to use the Docker engine at unix:///var/run/docker.sock',
      detail: 'adapter says docker-permission-denied',
      retryInSeconds: null,
      offerDemo: true,
    });
  });

  it('adds the DEMO banner with date, engine and reason while demo data is shown', () => {
    const banners = deriveBanners(
      input({ connection: disconnected('docker-unreachable', 10_000), list: demoList() }),
    );
    expect(banners.map((b) => b.kind)).toEqual(['engine-disconnected', 'demo']);
    // The reason is in the DEMO banner; the engine banner does not repeat it.
    expect(banners[0]).toMatchObject({ kind: 'engine-disconnected', detail: null, retryInSeconds: 0 });
    expect(banners[1]).toEqual({
      kind: 'demo',
      text: 'DEMO DATA — recorded from real containers on 2025-12-03 18:40 UTC (Docker 20.10.24 on linux/amd64); Docker engine not reachable at unix:///tmp/x.sock (ENOENT)',
    });
  });

  it('in browser mode: connecting first, then "reconnecting" after a loss, hiding stale engine banners', () => {
    const first = deriveBanners(input({ transport: initialWebSocketView, connection: null, list: null }));
    expect(first).toEqual([{ kind: 'transport-connecting' }]);
    const open = applyTransportState(initialWebSocketView, 'open');
    expect(deriveBanners(input({ transport: open }))).toEqual([]);
    const lost = applyTransportState(open, 'closed');
    const banners = deriveBanners(
      input({ transport: lost, connection: disconnected('docker-unreachable', 1) }),
    );
    expect(banners).toEqual([{ kind: 'transport-lost' }]);
    const retrying = applyTransportState(lost, 'connecting');
    expect(deriveBanners(input({ transport: retrying, list: demoList() })).map((b) => b.kind)).toEqual([
      'transport-lost',
      'demo',
    ]);
  });

  it('has a headline for every connection error code', () => {
    expect(engineProblemTitle('docker-error', 'tcp://h:2376')).toBe(
      'The Docker engine at tcp://h:2376 answered with an error',
    );
  });
});
