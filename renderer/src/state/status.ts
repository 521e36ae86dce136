import type { ContainerState, DataSource } from '../../../shared/domain/container.js';
import type { ConnectionState } from '../../../shared/domain/engine.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import type { TransportView } from './transport.js';
import { isTransportLost, isTransportUp } from './transport.js';

/** Names of the icons in components/Icon.tsx. */
export type IconName =
  | 'check'
  | 'spinner'
  | 'plug-off'
  | 'lock'
  | 'alert'
  | 'demo'
  | 'play'
  | 'pause'
  | 'stop'
  | 'circle'
  | 'restart'
  | 'trash'
  | 'skull';

/** Visual tone; always paired with an icon and text, never colour alone. */
export type Tone = 'ok' | 'pending' | 'warn' | 'bad' | 'demo' | 'neutral';

/** What a pill or badge shows. */
export interface Indicator {
  readonly label: string;
  readonly icon: IconName;
  readonly tone: Tone;
}

/** The connection pill in the header. */
export function connectionIndicator(
  transport: TransportView,
  connection: ConnectionState | null,
  source: DataSource | null,
): Indicator {
  if (isTransportLost(transport)) return { label: 'Reconnecting', icon: 'spinner', tone: 'warn' };
  if (!isTransportUp(transport) || connection === null)
    return { label: 'Connecting', icon: 'spinner', tone: 'pending' };
  switch (connection.phase) {
    case 'connecting':
      return { label: 'Connecting', icon: 'spinner', tone: 'pending' };
    case 'connected':
      return { label: 'Connected', icon: 'check', tone: 'ok' };
    case 'disconnected':
      if (source?.kind === 'demo') return { label: 'Demo data', icon: 'demo', tone: 'demo' };
      if (connection.error.code === 'docker-permission-denied') {
        return { label: 'Permission denied', icon: 'lock', tone: 'bad' };
      }
      return { label: 'Disconnected', icon: 'plug-off', tone: 'bad' };
    default:
      return assertNever(connection, 'connection phase');
  }
}

/** The state badge of a container card. */
export function containerStateIndicator(state: ContainerState): Indicator {
  switch (state) {
    case 'running':
      return { label: 'Running', icon: 'play', tone: 'ok' };
    case 'paused':
      return { label: 'Paused', icon: 'pause', tone: 'warn' };
    case 'restarting':
      return { label: 'Restarting', icon: 'restart', tone: 'warn' };
    case 'created':
      return { label: 'Created', icon: 'circle', tone: 'neutral' };
    case 'removing':
      return { label: 'Removing', icon: 'trash', tone: 'neutral' };
    case 'exited':
      return { label: 'Exited', icon: 'stop', tone: 'neutral' };
    case 'dead':
      return { label: 'Dead', icon: 'skull', tone: 'bad' };
    default:
      return assertNever(state, 'container state');
  }
}
