import { describe, expect, it } from 'vitest';

import type { AppDescription } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import {
  applyAppResult,
  applyConnectionPush,
  applyDescribeResult,
  initialEngineViewState,
} from '../../../renderer/src/state/engine.js';
import { connected, disconnected } from './fixtures.js';

const app: AppDescription = {
  version: '0.1.0',
  mode: 'browser',
  demoAvailable: true,
  showDemoWhenDisconnected: true,
};

describe('engine view state', () => {
  it('applies a describe answer when nothing newer arrived', () => {
    const sent = initialEngineViewState.version;
    const s = applyDescribeResult(initialEngineViewState, sent, ok(connected));
    expect(s.connection).toBe(connected);
  });

  it('ignores a describe answer when a push arrived while it was in flight', () => {
    const sent = initialEngineViewState.version;
    const pushed = disconnected('docker-unreachable', 5000);
    const afterPush = applyConnectionPush(initialEngineViewState, pushed);
    const s = applyDescribeResult(afterPush, sent, ok(connected));
    expect(s.connection).toBe(pushed);
  });

  it('keeps the known state when describe fails', () => {
    const s0 = applyConnectionPush(initialEngineViewState, connected);
    const s = applyDescribeResult(s0, s0.version, err('transport-closed', 'lost'));
    expect(s.connection).toBe(connected);
  });

  it('records app facts and demo:configure failures', () => {
    const busy = { ...initialEngineViewState, demoBusy: true };
    const okState = applyAppResult(busy, ok(app));
    expect(okState).toMatchObject({ app, demoBusy: false, demoError: null });
    const failed = applyAppResult({ ...okState, demoBusy: true }, err('demo-unavailable', 'no scenario'));
    expect(failed).toMatchObject({ app, demoBusy: false, demoError: { code: 'demo-unavailable' } });
  });
});
