import type { ContainerList } from '../../../shared/domain/container.js';
import type { ConnectionErrorCode, ConnectionState } from '../../../shared/domain/engine.js';
import type { AppDescription } from '../../../shared/ipc/contract.js';
import { assertNever } from '../../../shared/util/assert-never.js';
import { formatTimestamp, secondsUntil } from './format.js';
import type { TransportView } from './transport.js';
import { isTransportLost, isTransportUp } from './transport.js';

/** One notice above the containers. */
export type Banner =
  | { readonly kind: 'transport-connecting' }
  | { readonly kind: 'transport-lost' }
  | { readonly kind: 'engine-connecting'; readonly endpoint: string }
  | {
      readonly kind: 'engine-disconnected';
      readonly code: ConnectionErrorCode;
      /** The headline, e.g. `Docker engine not reachable at unix:///var/run/docker.sock`. */
      readonly title: string;
      /**
       * The engine adapter's message (for permission problems it carries the remedy); null while the DEMO
       * banner shows it as its reason, so the same sentence is not on screen twice.
       */
      readonly detail: string | null;
      readonly retryInSeconds: number | null;
      /** Demo data exists but the user hid it: offer to show it. */
      readonly offerDemo: boolean;
    }
  | { readonly kind: 'demo'; readonly text: string };

/** Everything the banners are derived from. */
export interface BannerInput {
  readonly transport: TransportView;
  readonly connection: ConnectionState | null;
  readonly app: AppDescription | null;
  readonly list: ContainerList | null;
  readonly now: number;
}

/** The headline for an engine problem, chosen by code (never by parsing the message). */
export function engineProblemTitle(code: ConnectionErrorCode, endpoint: string): string {
  switch (code) {
    case 'docker-unreachable':
      return `Docker engine not reachable at ${endpoint}`;
    case 'docker-permission-denied':
      return `No permission to use the Docker engine at ${endpoint}`;
    case 'docker-error':
      return `The Docker engine at ${endpoint} answered with an error`;
    default:
      return assertNever(code, 'connection error code');
  }
}

/** The DEMO banner text. */
export function demoBannerText(recordedAt: number, recordedOn: string, reason: string): string {
  return `DEMO DATA — recorded from real containers on ${formatTimestamp(recordedAt)} (${recordedOn}); ${reason}`;
}

/**
 * The banners to show, most important first.
 *
 * A lost browser-mode transport hides the engine banners (they would be stale); the DEMO banner stays as
 * long as demo cards are on screen.
 */
export function deriveBanners(input: BannerInput): readonly Banner[] {
  const banners: Banner[] = [];
  const { transport, connection, app, list } = input;
  const demoShown = list?.source.kind === 'demo';
  if (isTransportLost(transport)) banners.push({ kind: 'transport-lost' });
  else if (!isTransportUp(transport)) banners.push({ kind: 'transport-connecting' });
  else if (connection !== null) {
    switch (connection.phase) {
      case 'connecting':
        banners.push({ kind: 'engine-connecting', endpoint: connection.endpoint.url });
        break;
      case 'connected':
        break;
      case 'disconnected':
        banners.push({
          kind: 'engine-disconnected',
          code: connection.error.code,
          title: engineProblemTitle(connection.error.code, connection.endpoint.url),
          detail: demoShown ? null : connection.error.message,
          retryInSeconds: secondsUntil(connection.retryAt, input.now),
          offerDemo: app !== null && app.demoAvailable && !app.showDemoWhenDisconnected,
        });
        break;
      default:
        assertNever(connection, 'connection phase');
    }
  }
  if (list?.source.kind === 'demo') {
    const { recordedAt, recordedOn, reason } = list.source;
    banners.push({ kind: 'demo', text: demoBannerText(recordedAt, recordedOn, reason) });
  }
  return banners;
}
