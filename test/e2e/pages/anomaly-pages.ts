import type { Locator, Page } from 'playwright-core';

/** One row of the anomaly panel's per-container table. */
export interface AnomalyRow {
  readonly key: string;
  readonly phase: string;
  readonly name: string;
  readonly state: string;
  readonly hasIcon: boolean;
  readonly syscalls: number;
}

/** The anomaly detection panel of the Syscalls view, as a user sees it. */
export class AnomalyPanelPage {
  constructor(readonly page: Page) {}

  root(): Locator {
    return this.page.locator('[data-anomaly-panel]');
  }

  form(): Locator {
    return this.root().getByRole('form', { name: 'Anomaly detection source' });
  }

  /** Choose the source and settings, then press Start. */
  async start(
    source: { kind: 'bpf' } | { kind: 'capture'; path: string },
    settings: { epochSize?: number; trainingEpochs?: number; thresholdPercent?: number } = {},
  ): Promise<void> {
    const form = this.form();
    if (source.kind === 'capture') {
      await form.getByLabel('Capture path').fill(source.path);
      await form.getByRole('radio', { name: /sysdig capture/ }).check();
    } else {
      await form.getByRole('radio', { name: /eBPF sequence/ }).check();
    }
    if (settings.epochSize !== undefined)
      await form.getByLabel('Epoch size').fill(String(settings.epochSize));
    if (settings.trainingEpochs !== undefined)
      await form.getByLabel('Training epochs').fill(String(settings.trainingEpochs));
    if (settings.thresholdPercent !== undefined)
      await form.getByLabel('Threshold').fill(String(settings.thresholdPercent));
    await form.getByRole('button', { name: /Start detection|Restart detection/ }).click();
  }

  async stop(): Promise<void> {
    await this.form().getByRole('button', { name: 'Stop' }).click();
  }

  /** `off`, or the source's phase (`starting`, `streaming`, `exited`, `failed`). */
  phase(): Promise<string | null> {
    return this.root().getAttribute('data-phase');
  }

  rows(): Promise<AnomalyRow[]> {
    return this.root()
      .locator('table[data-anomaly-table] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => {
          const cells = tr.querySelectorAll('td');
          return {
            key: tr.getAttribute('data-anomaly-row') ?? '',
            phase: tr.getAttribute('data-anomaly-phase') ?? '',
            name: tr.querySelector<HTMLElement>('.anomaly-name')?.innerText ?? '',
            state: tr.querySelector<HTMLElement>('[data-anomaly-state]')?.innerText.trim() ?? '',
            hasIcon: tr.querySelector('[data-anomaly-state] svg.icon') !== null,
            syscalls: Number((cells[1] as HTMLElement | undefined)?.innerText.replace(/,/g, '') ?? NaN),
          };
        }),
      );
  }

  timeline(): Locator {
    return this.root().locator('[data-anomaly-timeline] > li.anomaly-entry');
  }

  async importFalco(path: string): Promise<void> {
    const form = this.root().getByRole('form', { name: 'Import Falco alerts' });
    await form.getByLabel('Falco alert file (JSON lines)').fill(path);
    await form.getByRole('button', { name: 'Import Falco alerts' }).click();
  }

  imports(): Locator {
    return this.root().locator('.anomaly-imports > li');
  }

  limits(): Locator {
    return this.root().locator('[data-anomaly-limits]');
  }
}
