import type { Locator, Page } from 'playwright-core';

/** The posture row of one container card. */
export class PostureRow {
  readonly root: Locator;

  constructor(card: Locator) {
    this.root = card.locator('.aspect-posture');
  }

  /** `assessed`, `error`, `loading` or `unavailable`. */
  async state(): Promise<string> {
    return (await this.root.locator('[data-posture-state]').first().getAttribute('data-posture-state')) ?? '';
  }

  /** The grade letter as shown (text, not colour). */
  grade(): Promise<string> {
    return this.root.locator('.grade-badge .grade-letter').innerText();
  }

  async score(): Promise<number> {
    return Number(await this.root.locator('.grade-badge').getAttribute('data-score'));
  }

  async counts(): Promise<{ fail: number; warn: number; pass: number }> {
    const n = async (kind: string): Promise<number> =>
      Number.parseInt(
        await this.root
          .locator(`[data-count="${kind}"]`)
          .innerText()
          .then((t) => t.replace(/^\D+/, '')),
        10,
      );
    return { fail: await n('fail'), warn: await n('warn'), pass: await n('pass') };
  }

  /** The worst failing findings as `title · CIS id` lines. */
  worst(): Promise<string[]> {
    return this.root.locator('.posture-worst .posture-finding').evaluateAll((els) =>
      els.map((e) => {
        const title = e.querySelector('.posture-finding-title')?.textContent ?? '';
        const cis = e.querySelector('.cis-id')?.textContent ?? '';
        return cis === '' ? title : `${title} · ${cis}`;
      }),
    );
  }

  /** `kernel evidence` or `configuration only`. */
  evidenceKind(): Promise<string> {
    return this.root.locator('.evidence-kind').innerText();
  }

  notRunning(): Locator {
    return this.root.locator('[data-posture-note="not-running"]');
  }

  incomplete(): Locator {
    return this.root.locator('[data-posture-note="incomplete"]');
  }

  error(): Locator {
    return this.root.locator('.posture-error');
  }

  /** Open the container's findings. */
  async open(): Promise<void> {
    await this.root.locator('.posture-open').click();
  }
}

/** The view switch in the header. */
export class ViewSwitch {
  constructor(readonly page: Page) {}

  tab(name: 'Containers' | 'Posture matrix'): Locator {
    return this.page.getByRole('tab', { name, exact: true });
  }

  async selected(): Promise<string> {
    return this.page.locator('.view-tab[aria-selected="true"]').innerText();
  }
}

/** The posture matrix view. */
export class PostureMatrixPage {
  constructor(readonly page: Page) {}

  async show(): Promise<void> {
    await new ViewSwitch(this.page).tab('Posture matrix').click();
    await this.table().waitFor({ timeout: 15_000 });
  }

  table(): Locator {
    return this.page.locator('table.matrix');
  }

  columnHeads(): Locator {
    return this.page.locator('th.matrix-col-head');
  }

  column(name: string): Locator {
    return this.page.locator(`th.matrix-col-head[data-container-name=${JSON.stringify(name)}]`);
  }

  /** Container names in column order. */
  columnNames(): Promise<string[]> {
    return this.columnHeads().evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-container-name') ?? ''),
    );
  }

  /** Scores in column order (null for a container that could not be assessed). */
  columnScores(): Promise<(number | null)[]> {
    return this.columnHeads().evaluateAll((els) =>
      els.map((e) => {
        const s = e.querySelector('.grade-badge')?.getAttribute('data-score');
        return s === undefined || s === null ? null : Number(s);
      }),
    );
  }

  /** Rule ids of the visible runtime rows, top to bottom. */
  rowIds(): Promise<string[]> {
    return this.table()
      .locator('tbody tr')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-rule-id') ?? ''));
  }

  /** Severities of the visible runtime rows. */
  rowSeverities(): Promise<string[]> {
    return this.table()
      .locator('tbody tr')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-severity') ?? ''));
  }

  /** The cell of one check for one container. */
  async cell(ruleId: string, containerName: string): Promise<Locator> {
    const index = (await this.columnNames()).indexOf(containerName);
    if (index < 0) throw new Error(`no column ${containerName}`);
    return this.table().locator(`tbody tr[data-rule-id=${JSON.stringify(ruleId)}] td[data-col="${index}"]`);
  }

  severityChip(severity: string): Locator {
    return this.page.locator(`.severity-chip[data-severity="${severity}"]`);
  }

  checkFilter(): Locator {
    return this.page.locator('input.check-filter');
  }

  async sortBy(value: 'name' | 'score-asc' | 'score-desc'): Promise<void> {
    await this.page.locator('select.column-sort').selectOption(value);
  }

  runtimeCount(): Locator {
    return this.page.locator('[data-matrix-count="runtime"]');
  }

  hostCount(): Locator {
    return this.page.locator('[data-matrix-count="host"]');
  }

  hostScore(): Locator {
    return this.page.locator('[data-host-score]');
  }

  hostRow(ruleId: string): Locator {
    return this.page.locator(`.host-table tr[data-rule-id=${JSON.stringify(ruleId)}]`);
  }
}

/** One line of the evidence table. */
export interface EvidenceRow {
  readonly source: string;
  readonly field: string;
  readonly value: string;
  readonly role: string;
}

/** The posture panel (findings list or evidence of one finding). */
export class PosturePanel {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('dialog.posture-panel');
  }

  async isOpen(): Promise<boolean> {
    return this.root.evaluate((d) => (d as HTMLDialogElement).open);
  }

  title(): Promise<string> {
    return this.root.locator('#posture-panel-title').innerText();
  }

  /** `finding` or `container`. */
  kind(): Promise<string | null> {
    return this.root.locator('.panel-body').getAttribute('data-panel');
  }

  status(): Promise<string> {
    return this.root.locator('.finding-status').innerText();
  }

  text(selector: string): Promise<string> {
    return this.root.locator(selector).innerText();
  }

  evidence(): Promise<EvidenceRow[]> {
    return this.root.locator('.evidence-table tbody tr').evaluateAll((rows) =>
      rows.map((r) => {
        const cells = [...r.querySelectorAll('td')].map((td) => td.textContent ?? '');
        return { source: cells[0] ?? '', field: cells[1] ?? '', value: cells[2] ?? '', role: cells[3] ?? '' };
      }),
    );
  }

  findingItems(): Locator {
    return this.root.locator('.finding-item');
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.waitForFunction(
      () => !(document.querySelector('dialog.posture-panel') as HTMLDialogElement).open,
    );
  }
}
