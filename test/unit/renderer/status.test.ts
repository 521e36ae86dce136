import { describe, expect, it } from 'vitest';

import { CONTAINER_STATES } from '../../../shared/domain/container.js';
import { connectionIndicator, containerStateIndicator } from '../../../renderer/src/state/status.js';
import { applyTransportState, initialWebSocketView } from '../../../renderer/src/state/transport.js';
import { connected, demoList, disconnected } from './fixtures.js';

describe('indicators', () => {
  it('gives every container state its own label and icon', () => {
    const indicators = CONTAINER_STATES.map(containerStateIndicator);
    expect(new Set(indicators.map((i) => i.label)).size).toBe(CONTAINER_STATES.length);
    expect(new Set(indicators.map((i) => i.icon)).size).toBe(CONTAINER_STATES.length);
    expect(containerStateIndicator('running')).toEqual({ label: 'Running', icon: 'play', tone: 'ok' });
    expect(containerStateIndicator('exited')).toEqual({ label: 'Exited', icon: 'stop', tone: 'neutral' });
  });

  it('labels the connection by transport, phase, error and data source', () => {
    const ipc = { kind: 'ipc' } as const;
    expect(connectionIndicator(ipc, connected, null).label).toBe('Connected');
    expect(connectionIndicator(ipc, null, null).label).toBe('Connecting');
    expect(connectionIndicator(ipc, disconnected('docker-unreachable', null), null)).toEqual({
      label: 'Disconnected',
      icon: 'plug-off',
      tone: 'bad',
    });
    expect(connectionIndicator(ipc, disconnected('docker-permission-denied', null), null).label).toBe(
      'Permission denied',
    );
    expect(connectionIndicator(ipc, disconnected('docker-unreachable', null), demoList().source).label).toBe(
      'Demo data',
    );
    const lost = applyTransportState(applyTransportState(initialWebSocketView, 'open'), 'closed');
    expect(connectionIndicator(lost, connected, null).label).toBe('Reconnecting');
    expect(connectionIndicator(initialWebSocketView, null, null).label).toBe('Connecting');
  });
});
