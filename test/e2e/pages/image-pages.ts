import type { Locator, Page } from 'playwright-core';

/** The image row of one container card. */
export class ImageRow {
  readonly root: Locator;

  constructor(card: Locator) {
    this.root = card.locator('.aspect-image');
  }

  /** `loading`, `scanning`, `scanned`, `failed`, `missing`, `unavailable` or `demo`. */
  async state(): Promise<string> {
    return (await this.root.locator('[data-image-state]').first().getAttribute('data-image-state')) ?? '';
  }

  imageId(): Promise<string | null> {
    return this.root.locator('[data-image-id]').getAttribute('data-image-id');
  }

  async packages(): Promise<number> {
    return Number(await this.root.locator('[data-packages]').getAttribute('data-packages'));
  }

  /** Known vulnerabilities as shown (`data-vulns`), or null when none were matched (no DB, no packages). */
  async vulnerabilities(): Promise<number | null> {
    const el = this.root.locator('[data-vulns]');
    if ((await el.count()) === 0) return null;
    return Number(await el.getAttribute('data-vulns'));
  }

  /** Severity counts as `{ high: 2 }` (the words shown, read from their data attributes). */
  severityCounts(): Promise<Record<string, number>> {
    return this.root
      .locator('.sev-count')
      .evaluateAll((els) =>
        Object.fromEntries(
          els.map((e) => [e.getAttribute('data-severity') ?? '', Number(e.getAttribute('data-count'))]),
        ),
      );
  }

  note(kind: 'no-package-db' | 'no-advisory-db'): Locator {
    return this.root.locator(`[data-image-note="${kind}"]`);
  }

  age(): Locator {
    return this.root.locator('.image-age');
  }

  db(): Locator {
    return this.root.locator('.db-tag');
  }

  worst(): Locator {
    return this.root.locator('.image-worst');
  }

  shared(): Locator {
    return this.root.locator('.image-shared');
  }

  lint(): Locator {
    return this.root.locator('.image-lint');
  }

  progress(): Locator {
    return this.root.locator('.scan-progress');
  }

  async rescan(): Promise<void> {
    await this.root.locator('.image-rescan').click();
  }

  async open(): Promise<void> {
    await this.root.locator('.image-open').click();
  }
}

/** The image findings panel. */
export class ImageFindingsPanel {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('dialog.image-panel');
  }

  async isOpen(): Promise<boolean> {
    return this.root.evaluate((d) => (d as HTMLDialogElement).open);
  }

  title(): Promise<string> {
    return this.root.locator('#image-panel-title').innerText();
  }

  text(selector: string): Promise<string> {
    return this.root.locator(selector).first().innerText();
  }

  /** Rows of the findings table as `package` / `advisory` / `severity`, top to bottom. */
  rows(): Promise<{ package: string; advisory: string; severity: string; fixed: string; db: string }[]> {
    return this.root.locator('.findings-table tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        package: r.querySelector('.col-package code')?.textContent ?? '',
        advisory: r.getAttribute('data-advisory-id') ?? '',
        severity: r.getAttribute('data-severity') ?? '',
        fixed: r.querySelector('.col-fixed')?.textContent ?? '',
        db: r.querySelector('.col-db')?.textContent ?? '',
      })),
    );
  }

  sortButton(label: string): Locator {
    return this.root.locator('.findings-table thead .sort-button', { hasText: label });
  }

  columnHead(key: string): Locator {
    return this.root.locator(`.findings-table thead th[data-col="${key}"]`);
  }

  advisoryLinks(): Locator {
    return this.root.locator('a.advisory-link');
  }

  filter(): Locator {
    return this.root.locator('input.findings-filter-input');
  }

  fixableOnly(): Locator {
    return this.root.getByLabel('Fixable only');
  }

  /** Lint items as `{ id, status, text }`. */
  lint(): Promise<{ id: string; status: string; text: string; evidence: string }[]> {
    return this.root.locator('.lint-item').evaluateAll((els) =>
      els.map((e) => ({
        id: e.getAttribute('data-lint-id') ?? '',
        status: e.getAttribute('data-status') ?? '',
        text: e.querySelector<HTMLElement>('.lint-head')?.innerText ?? '',
        evidence: e.querySelector('.lint-evidence')?.textContent ?? '',
      })),
    );
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.waitForFunction(
      () => !(document.querySelector('dialog.image-panel') as HTMLDialogElement).open,
    );
  }
}
