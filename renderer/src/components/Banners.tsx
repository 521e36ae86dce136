import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { assertNever } from '../../../shared/util/assert-never.js';
import type { Controller } from '../controller.js';
import { deriveBanners } from '../state/banners.js';
import type { Banner } from '../state/banners.js';
import { useClockStore } from '../stores/clock-store.js';
import { useContainersStore } from '../stores/containers-store.js';
import { useEngineStore } from '../stores/engine-store.js';
import { useTransportStore } from '../stores/transport-store.js';
import { Icon } from './Icon.js';

/** The notices above the containers: connecting, engine problems, demo data, lost browser-mode link. */
export function Banners({ controller }: { readonly controller: Controller }): ReactElement | null {
  const transport = useTransportStore((s) => s.view);
  const { connection, app, demoBusy, demoError } = useEngineStore(
    useShallow((s) => ({
      connection: s.connection,
      app: s.app,
      demoBusy: s.demoBusy,
      demoError: s.demoError,
    })),
  );
  const list = useContainersStore((s) => s.list);
  const now = useClockStore((s) => s.now);
  const banners = deriveBanners({ transport, connection, app, list, now });
  if (banners.length === 0 && demoError === null) return null;
  return (
    <div className="banners">
      {banners.map((banner) => (
        <BannerView key={banner.kind} banner={banner} controller={controller} demoBusy={demoBusy} />
      ))}
      {demoError !== null ? (
        <div className="banner tone-bad" role="alert">
          <Icon name="alert" />
          <div className="banner-body">
            <strong>Could not switch the demo data.</strong> <span>{demoError.message}</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function BannerView({
  banner,
  controller,
  demoBusy,
}: {
  readonly banner: Banner;
  readonly controller: Controller;
  readonly demoBusy: boolean;
}): ReactElement {
  switch (banner.kind) {
    case 'transport-connecting':
      return (
        <div className="banner tone-pending" role="status" data-banner="transport-connecting">
          <Icon name="spinner" />
          <div className="banner-body">Connecting to the Bulkhead engine…</div>
        </div>
      );
    case 'transport-lost':
      return (
        <div className="banner tone-warn" role="alert" data-banner="transport-lost">
          <Icon name="spinner" />
          <div className="banner-body">
            <strong>Lost connection to the Bulkhead engine, reconnecting…</strong>{' '}
            <span className="banner-detail">What you see below may be out of date.</span>
          </div>
        </div>
      );
    case 'engine-connecting':
      return (
        <div className="banner tone-pending" role="status" data-banner="engine-connecting">
          <Icon name="spinner" />
          <div className="banner-body">
            Connecting to the Docker engine at <code>{banner.endpoint}</code>…
          </div>
        </div>
      );
    case 'engine-disconnected':
      return (
        <div className="banner tone-bad" role="alert" data-banner="engine-disconnected">
          <Icon name={banner.code === 'docker-permission-denied' ? 'lock' : 'plug-off'} />
          <div className="banner-body">
            <strong>{banner.title}</strong>
            {banner.retryInSeconds !== null ? (
              <span className="banner-retry"> — retrying in {banner.retryInSeconds} s</span>
            ) : null}
            {banner.detail !== null ? <div className="banner-detail">{banner.detail}</div> : null}
          </div>
          {banner.offerDemo ? (
            <button
              type="button"
              className="banner-action"
              disabled={demoBusy}
              onClick={() => controller.setDemoVisible(true)}
            >
              Show demo data
            </button>
          ) : null}
        </div>
      );
    case 'demo':
      return (
        <div className="banner tone-demo" role="status" data-banner="demo">
          <Icon name="demo" />
          <div className="banner-body">
            <strong className="demo-banner-text">{banner.text}</strong>
          </div>
          <button
            type="button"
            className="banner-action"
            disabled={demoBusy}
            onClick={() => controller.setDemoVisible(false)}
          >
            Hide demo data
          </button>
        </div>
      );
    default:
      return assertNever(banner, 'banner');
  }
}
