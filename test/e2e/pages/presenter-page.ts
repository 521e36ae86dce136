import type { Locator, Page } from 'playwright-core';

/** What the room sees of one element: its font size as drawn and the contrast of its text. */
export interface Legibility {
  readonly text: string;
  readonly fontSize: number;
  /** WCAG contrast ratio of the text colour against the first opaque background behind it. */
  readonly contrast: number;
}

/** Presenter mode as a user (and the room) sees it. */
export class PresenterPage {
  constructor(readonly page: Page) {}

  /** The header's "Presenter mode" button. */
  toggle(): Locator {
    return this.page.getByRole('button', { name: 'Presenter mode' });
  }

  async isOn(): Promise<boolean> {
    return (await this.toggle().getAttribute('aria-pressed')) === 'true';
  }

  stage(): Locator {
    return this.page.locator('[data-presenter-stage]');
  }

  /** The names of the containers on stage, left to right. */
  shownNames(): Promise<string[]> {
    return this.stage()
      .locator('.presenter-head')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-container-name') ?? ''));
  }

  /** `2 of 5` (and `Left · `/`Right · ` in the split view) per container on stage. */
  positions(): Promise<string[]> {
    return this.stage().locator('.presenter-position').allInnerTexts();
  }

  hint(): Locator {
    return this.stage().locator('[data-presenter-hint]');
  }

  row(aspect: string): Locator {
    return this.stage().locator(`.presenter-row[data-aspect="${aspect}"]`);
  }

  /** One aspect of one container on stage. */
  cell(aspect: string, name: string): Locator {
    return this.row(aspect).locator(`.presenter-cell[data-container-name=${JSON.stringify(name)}]`);
  }

  /** The aspect row marked as the current one, or null. */
  currentAspect(): Promise<string | null> {
    return this.stage()
      .locator('.presenter-row[data-current="true"]')
      .evaluateAll((els) => els[0]?.getAttribute('data-aspect') ?? null);
  }

  /** The aspect of the row that has focus, or null. */
  focusedAspect(): Promise<string | null> {
    return this.page.evaluate(() => document.activeElement?.getAttribute('data-aspect') ?? null);
  }

  /** Font size and contrast of every element the locator matches. */
  legibility(locator: Locator): Promise<Legibility[]> {
    return locator.evaluateAll((els) => {
      const rgba = (css: string): number[] => {
        const m = /rgba?\(([^)]+)\)/.exec(css);
        if (m === null || m[1] === undefined) return [0, 0, 0, 0];
        const parts = m[1]
          .split(/[ ,/]+/)
          .filter((p) => p !== '')
          .map(Number);
        return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
      };
      const luminance = ([r = 0, g = 0, b = 0]: number[]): number => {
        const lin = (c: number): number => {
          const s = c / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      };
      const background = (el: Element): number[] => {
        for (let at: Element | null = el; at !== null; at = at.parentElement) {
          const bg = rgba(getComputedStyle(at).backgroundColor);
          if ((bg[3] ?? 0) >= 0.99) return bg;
        }
        return [255, 255, 255, 1];
      };
      return els.map((el) => {
        const style = getComputedStyle(el);
        const fg = luminance(rgba(style.color));
        const bg = luminance(background(el));
        // A zoomed element (the cards' charts) reports its unzoomed size; the room sees the zoomed one.
        const zoom = (el as Element & { currentCSSZoom?: number }).currentCSSZoom ?? 1;
        return {
          text: el.textContent ?? '',
          fontSize: parseFloat(style.fontSize) * zoom,
          contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
        };
      });
    });
  }

  /**
   * Every element of the window in presenter mode (header, banners, stage) with a tooltip, with whether its
   * text is on screen too: written out after it (generated content), elsewhere, or restated by the element
   * itself (a grade badge).
   */
  titles(): Promise<{ title: string; shown: boolean }[]> {
    return this.page.locator('.app.presenter').evaluate((app) => {
      const all = (app as HTMLElement).innerText;
      const onScreen = [...app.querySelectorAll('[title]')].filter(
        (el) => el.closest('dialog:not([open])') === null,
      );
      return onScreen.map((el) => {
        const title = el.getAttribute('title') ?? '';
        const after = getComputedStyle(el, '::after').content;
        const visible = getComputedStyle(el, '::after').display !== 'none';
        // A grade badge's tooltip ("Grade C, score 74 of 100") restates the letter and score it shows.
        const text = (el as HTMLElement).innerText;
        const grade = el.getAttribute('data-grade');
        const score = el.getAttribute('data-score');
        const restated = grade !== null && score !== null && text.includes(grade) && text.includes(score);
        return { title, shown: restated || (visible && after.includes(title)) || all.includes(title) };
      });
    });
  }

  /** The animation of every cell on stage (name and duration in seconds). */
  animations(): Promise<{ name: string; seconds: number }[]> {
    return this.stage()
      .locator('.presenter-cell, .presenter-head')
      .evaluateAll((els) =>
        els.map((el) => {
          const style = getComputedStyle(el);
          return { name: style.animationName, seconds: parseFloat(style.animationDuration) };
        }),
      );
  }
}
