import type { Locator, Page } from 'playwright-core';

/** One subject column of the Syscalls view (a container, the host, or unattributed events). */
export class SyscallSubject {
  constructor(readonly root: Locator) {}

  async total(): Promise<number> {
    return Number((await this.root.locator('[data-subject-total]').innerText()).replace(/,/g, ''));
  }

  origin(): Promise<string> {
    return this.root.locator('.syscalls-origin').innerText();
  }

  /** The syscall names on the column's bar chart, top first. */
  barNames(): Promise<string[]> {
    return this.root
      .locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')
      .evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  }

  async openDetail(): Promise<void> {
    await this.root.getByRole('button', { name: /^(Details|Hide details)$/ }).click();
  }

  async setCompared(on: boolean): Promise<void> {
    await this.root.getByRole('checkbox', { name: 'Compare' }).setChecked(on);
  }
}

/** The detail of one subject: histogram table, log scale, stacked series. */
export class SyscallDetailPanel {
  constructor(readonly root: Locator) {}

  /** Rows of the histogram table in their current order: syscall → total. */
  async rows(): Promise<{ syscall: string; total: number }[]> {
    return this.root.locator('table[data-histogram] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        syscall: tr.getAttribute('data-syscall') ?? '',
        total: Number(tr.querySelector('td[data-count]')?.getAttribute('data-count')),
      })),
    );
  }

  async footTotal(): Promise<number> {
    return Number(
      await this.root.locator('table[data-histogram] tfoot td[data-count]').getAttribute('data-count'),
    );
  }

  async sortBy(column: 'Syscall' | 'Total'): Promise<void> {
    await this.root.locator('table[data-histogram] thead').getByRole('button', { name: column }).click();
  }

  async setLogScale(on: boolean): Promise<void> {
    await this.root.getByRole('checkbox', { name: 'Log scale' }).setChecked(on);
  }

  chartLabel(): Promise<string | null> {
    return this.root.locator('.syscall-bars').first().getAttribute('aria-label');
  }

  /** The bar widths of the histogram chart, in drawing order. */
  barWidths(): Promise<number[]> {
    return barWidths(this.root.locator('.syscall-bars').first());
  }
}

/** The bar widths of one recharts bar chart. */
export function barWidths(chart: Locator): Promise<number[]> {
  return chart
    .locator('.recharts-bar-rectangle path')
    .evaluateAll((paths) => paths.map((p) => (p as SVGGraphicsElement).getBBox().width));
}

/** The Syscalls view as a user sees it. */
export class SyscallsPage {
  constructor(readonly page: Page) {}

  async show(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Syscalls' }).click();
    await this.root().waitFor({ state: 'visible' });
  }

  root(): Locator {
    return this.page.locator('[data-syscalls-view]');
  }

  /** `data-available` per source kind, from the availability list. */
  async availability(): Promise<{ kind: string; available: boolean; text: string }[]> {
    return this.root()
      .locator('.syscalls-availability li')
      .evaluateAll((lis) =>
        lis.map((li) => ({
          kind: li.getAttribute('data-source-kind') ?? '',
          available: li.getAttribute('data-available') === 'true',
          text: (li as HTMLElement).innerText,
        })),
      );
  }

  emptyState(): Locator {
    return this.root().locator('[data-syscalls-empty="none"]');
  }

  async openCapture(path: string, speed: 'max' | 'x1' | 'x10' | 'x100' = 'max'): Promise<void> {
    const form = this.root().getByRole('form', { name: 'Open a capture' });
    await form.getByLabel('Capture or recording path').fill(path);
    await form.getByLabel('Speed').selectOption({ label: speed });
    await form.getByRole('button', { name: 'Open' }).click();
  }

  openError(): Locator {
    return this.root().locator('[data-syscalls-error="open"]');
  }

  phase(): Promise<string | null> {
    return this.root().locator('.syscalls-status').getAttribute('data-phase');
  }

  note(): Locator {
    return this.root().locator('[data-syscalls-note]');
  }

  async totalEvents(): Promise<number> {
    return Number(
      (await this.root().locator('[data-total-events]').innerText({ timeout: 2_000 })).replace(/,/g, ''),
    );
  }

  droppedText(): Promise<string> {
    return this.root().locator('[data-dropped]').innerText();
  }

  subjectNames(): Promise<string[]> {
    return this.root()
      .locator('.syscalls-subject')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-subject') ?? ''));
  }

  subject(name: string): SyscallSubject {
    return new SyscallSubject(this.root().locator(`.syscalls-subject[data-subject=${JSON.stringify(name)}]`));
  }

  detail(): SyscallDetailPanel {
    return new SyscallDetailPanel(this.root().locator('.syscalls-detail'));
  }

  compare(): Locator {
    return this.root().locator('.syscalls-compare');
  }

  scrubber(): Locator {
    return this.root().getByRole('slider', { name: 'Position' });
  }

  /** The replay position (seconds), from the scrubber's output. */
  async position(): Promise<number> {
    return Number(
      await this.root().locator('output[data-replay-position]').getAttribute('data-replay-position'),
    );
  }

  /** Move the scrubber to `second` the way a keyboard user would: focus it, then arrow keys. */
  async scrubTo(second: number): Promise<void> {
    const slider = this.scrubber();
    await slider.focus();
    for (let guard = 0; guard < 120; guard++) {
      const current = await this.position();
      if (current === second) return;
      await slider.press(second < current ? 'ArrowLeft' : 'ArrowRight');
      const deadline = Date.now() + 3_000;
      while ((await this.position()) === current && Date.now() < deadline) await this.page.waitForTimeout(50);
    }
    throw new Error(`the scrubber did not reach ${second}`);
  }
}
