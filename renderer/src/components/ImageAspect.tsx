import type { ReactElement } from 'react';

import { assertNever } from '../../../shared/util/assert-never.js';
import type { AspectProps } from '../aspects.js';
import { cardImage, scanFailedTitle, shortImageId } from '../state/images.js';
import type { CardImage } from '../state/images.js';
import { useClockStore } from '../stores/clock-store.js';
import { openImagePanel, requestRescan, useImagesStore } from '../stores/images-store.js';
import { Icon } from './Icon.js';
import { AgeTag, DbTag, NoAdvisoryDb, ScanProgressBar, SeverityCounts, SeverityTag } from './ImageBadges.js';

/**
 * The image row of a card: the image's age, known vulnerabilities by severity with the worst one, the
 * advisory database's age (stale flagged), lint counts; a progress bar while the image is exported and
 * scanned; the states "no package database found" and "no advisory database imported".
 *
 * The summary opens the image's findings. An image shared by several containers is scanned once; each of
 * their cards shows the same report and says it is shared.
 */
export function ImageAspect({ container, source }: AspectProps): ReactElement {
  const now = useClockStore((s) => s.now);
  const state = useImagesStore((s) => s);
  if (source.kind === 'demo')
    return (
      <p className="image-state" data-image-state="demo">
        <Icon name="circle" />
        <span>Images are not scanned for demo data.</span>
      </p>
    );
  return <ImageSummary card={cardImage(state, container, now)} />;
}

function Shared({ count }: { readonly count: number }): ReactElement | null {
  if (count === 0) return null;
  return (
    <span className="image-shared" data-shared={count}>
      Shared with {count} other container{count === 1 ? '' : 's'} · scanned once
    </span>
  );
}

function ImageSummary({ card }: { readonly card: CardImage }): ReactElement {
  switch (card.kind) {
    case 'loading':
      return (
        <p className="image-state" data-image-state="loading">
          <Icon name="spinner" />
          <span>Loading images…</span>
        </p>
      );
    case 'unavailable':
      return (
        <p className="image-state image-unavailable" data-image-state="unavailable">
          <Icon name="alert" />
          <span>Image findings unavailable: {card.message}</span>
        </p>
      );
    case 'missing':
      return (
        <p className="image-state" data-image-state="missing">
          <Icon name="circle" />
          <span>Not scanned yet; it will be on the next refresh.</span>
        </p>
      );
    case 'scanning':
      return (
        <div className="image-row">
          <ScanProgressBar progress={card.progress} />
          <Shared count={card.shared} />
        </div>
      );
    case 'failed':
      return (
        <div className="image-error" role="group" aria-label="Image scan error" data-image-state="failed">
          <p className="image-error-title">
            <Icon name="alert" />
            <strong>{scanFailedTitle(card.code)}</strong>
          </p>
          <p className="image-error-message">{card.message}</p>
          <Shared count={card.shared} />
        </div>
      );
    case 'scanned':
      return <Scanned card={card} />;
    default:
      return assertNever(card, 'card image');
  }
}

function Scanned({ card }: { readonly card: Extract<CardImage, { kind: 'scanned' }> }): ReactElement {
  const { report, vulnerabilities: v } = card;
  const label =
    v.kind === 'matched'
      ? `${v.total} known vulnerabilities in ${v.packages} packages`
      : v.kind === 'no-advisory-db'
        ? `${v.packages} packages, no advisory database imported`
        : v.text;
  return (
    <div className="image-row" data-image-state="scanned" data-image-id={report.imageId}>
      <AgeTag age={card.age} />
      <button
        type="button"
        className="image-open"
        aria-label={`Image ${report.refs[0] ?? shortImageId(report.imageId)}: ${label}. Show findings`}
        onClick={() => openImagePanel({ imageId: report.imageId })}
      >
        {v.kind === 'no-package-db' ? (
          <span className="image-vulns" data-image-note="no-package-db">
            <Icon name="circle" /> {capitalize(v.text)}
          </span>
        ) : (
          <span className="image-vulns">
            <span className="image-packages" data-packages={v.packages}>
              {v.packages} {report.packageDb.kind ?? ''} packages
            </span>
            {v.kind === 'matched' ? (
              v.total === 0 ? (
                <span className="image-zero" data-vulns="0">
                  <Icon name="check" /> 0 known vulnerabilities
                </span>
              ) : (
                <>
                  <span className="image-total" data-vulns={v.total}>
                    {v.total} known vulnerabilit{v.total === 1 ? 'y' : 'ies'} · {v.fixable} fixable
                  </span>
                  <SeverityCounts counts={v.counts} />
                </>
              )
            ) : null}
          </span>
        )}
        <span className="image-more">Findings ›</span>
      </button>
      {v.kind === 'matched' && v.worst !== null ? (
        <p className="image-worst" data-advisory-id={v.worst.advisoryId}>
          <span className="image-worst-label">Worst:</span> <SeverityTag severity={v.worst.severity.level} />{' '}
          <code>{v.worst.advisoryId}</code> in <code>{v.worst.package.name}</code>
          {v.worst.fixedVersion !== null ? ` (fixed in ${v.worst.fixedVersion})` : ' (no fix yet)'}
        </p>
      ) : null}
      {v.kind === 'no-advisory-db' ? <NoAdvisoryDb /> : null}
      {card.db !== null ? <DbTag db={card.db} compact /> : null}
      <p className="image-lint" data-lint-fail={card.lint.fail} data-lint-warn={card.lint.warn}>
        Lint: {card.lint.fail} fail · {card.lint.warn} warn · {card.lint.pass} pass
      </p>
      <Shared count={card.shared} />
      <button
        type="button"
        className="image-rescan posture-link"
        onClick={() => requestRescan(report.imageId)}
      >
        <Icon name="restart" /> Rescan
      </button>
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
