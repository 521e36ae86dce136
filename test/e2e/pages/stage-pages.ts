import type { Locator, Page } from 'playwright-core';

/** The Lab panel (header button "Lab"): the lab's buttons, their reasons, the log. */
export class LabPanelPage {
  constructor(readonly page: Page) {}

  toggle(): Locator {
    return this.page.locator('[data-lab-toggle]');
  }

  root(): Locator {
    return this.page.locator('[data-lab-panel]');
  }

  async open(): Promise<void> {
    if ((await this.root().count()) === 0) await this.toggle().click();
    await this.root().waitFor({ state: 'visible' });
  }

  action(id: 'up' | 'attack-weak' | 'attack-hardened' | 'down'): Locator {
    return this.root().locator(`[data-lab-action="${id}"]`);
  }

  /** Every button: id, label, whether it says it cannot run now. */
  actions(): Promise<{ id: string; label: string; off: boolean }[]> {
    return this.root()
      .locator('[data-lab-action]')
      .evaluateAll((els) =>
        els.map((e) => ({
          id: e.getAttribute('data-lab-action') ?? '',
          label: (e as HTMLElement).innerText,
          off: e.getAttribute('aria-disabled') === 'true',
        })),
      );
  }

  reasons(): Locator {
    return this.root().locator('[data-lab-reasons]');
  }

  /** The log lines of the operation shown: tone and text. */
  lines(): Promise<{ tone: string; text: string }[]> {
    return this.root()
      .locator('.lab-log li')
      .evaluateAll((lis) =>
        lis.map((li) => ({
          tone: li.getAttribute('data-tone') ?? '',
          text: li.querySelector('.lab-text')?.textContent ?? '',
        })),
      );
  }

  summary(): Locator {
    return this.root().locator('[data-lab-summary]');
  }

  error(): Locator {
    return this.root().locator('[data-lab-error]');
  }

  /** The `data-lab-action` of the focused element (`close` for the Close button), or null. */
  focusedAction(): Promise<string | null> {
    return this.page.evaluate(() => {
      const el = document.activeElement;
      if (el?.hasAttribute('data-lab-close') === true) return 'close';
      return el?.getAttribute('data-lab-action') ?? null;
    });
  }
}

/** The on-stage line ("Switch to recording (R)" / "Back to live"). */
export class StageBannerPage {
  constructor(readonly page: Page) {}

  lost(): Locator {
    return this.page.locator('[data-stage-banner="lost"]');
  }

  back(): Locator {
    return this.page.locator('[data-stage-banner="back"]');
  }

  switchButton(): Locator {
    return this.page.locator('[data-stage-action="switch"]');
  }

  backButton(): Locator {
    return this.page.locator('[data-stage-action="back"]');
  }
}
