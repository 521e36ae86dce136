import type { Download, Locator } from 'playwright-core';

/** A collapsible list of syscall names in the seccomp panel. */
export interface SeccompList {
  readonly count: number;
  readonly summary: string;
  readonly names: string[];
}

/** The "Seccomp profile" section of a subject's detail, as a user sees it. */
export class SeccompPanelPage {
  constructor(readonly root: Locator) {}

  generateButton(): Locator {
    return this.root.locator('[data-seccomp-generate]');
  }

  /** Press the generate button the way a keyboard user would: focus it, then Enter. */
  async generateWithKeyboard(): Promise<void> {
    const button = this.generateButton();
    await button.focus();
    await button.press('Enter');
  }

  /** `idle`, `generating`, `ready` or `failed`. */
  status(): Promise<string | null> {
    return this.root.getAttribute('data-seccomp-status');
  }

  statusText(): Promise<string> {
    return this.root.locator('[data-seccomp-state-text], [data-seccomp-error]').innerText();
  }

  error(): Locator {
    return this.root.locator('[data-seccomp-error]');
  }

  sentence(): Locator {
    return this.root.locator('[data-seccomp-sentence]');
  }

  unavailable(): Locator {
    return this.root.locator('[data-seccomp-unavailable]');
  }

  /** The numbers the sentence carries as attributes. */
  async numbers(): Promise<{ allowed: number; defaultAllowed: number; pct: number }> {
    const s = this.sentence();
    return {
      allowed: Number(await s.getAttribute('data-allowed')),
      defaultAllowed: Number(await s.getAttribute('data-default-allowed')),
      pct: Number(await s.getAttribute('data-reduction-pct')),
    };
  }

  /** One collapsible list by its id (`observed-allowed`, `observed-blocked`, `allowed-unused`, …), opened. */
  async list(id: string): Promise<SeccompList> {
    const details = this.root.locator(`details[data-list=${JSON.stringify(id)}]`);
    const summary = details.locator('summary');
    if ((await details.getAttribute('open')) === null) await summary.click();
    return {
      count: Number(await details.getAttribute('data-count')),
      summary: await summary.innerText(),
      names: await details
        .locator('li[data-name]')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name') ?? '')),
    };
  }

  async boundary(): Promise<{ kind: string | null; text: string }> {
    const dd = this.root.locator('[data-boundary]');
    return { kind: await dd.getAttribute('data-boundary'), text: await dd.innerText() };
  }

  async setCounts(): Promise<{ startup: number; running: number }> {
    return {
      startup: Number(await this.root.locator('[data-startup-count]').getAttribute('data-startup-count')),
      running: Number(await this.root.locator('[data-running-count]').getAttribute('data-running-count')),
    };
  }

  /** What the health check said, or null when the row is absent. */
  async health(): Promise<string | null> {
    const dd = this.root.locator('[data-health]');
    return (await dd.count()) === 0 ? null : dd.innerText();
  }

  runningSentence(): Promise<string> {
    return this.root.locator('[data-running-sentence]').innerText();
  }

  note(): Promise<string> {
    return this.root.locator('[data-seccomp-note]').innerText();
  }

  quietSeconds(): Locator {
    return this.root.getByLabel('Quiet seconds');
  }

  downloadButton(phase: 'whole' | 'running'): Locator {
    return this.root.locator(`button[data-download=${JSON.stringify(phase)}]`);
  }

  downloadReason(): Locator {
    return this.root.locator('[data-download-reason="running"]');
  }

  copyButton(phase: 'whole' | 'running'): Locator {
    return this.root.locator(`button[data-copy=${JSON.stringify(phase)}]`);
  }

  /** Click a download button and wait for the browser's download. */
  async download(phase: 'whole' | 'running'): Promise<Download> {
    const page = this.root.page();
    const [download] = await Promise.all([page.waitForEvent('download'), this.downloadButton(phase).click()]);
    return download;
  }
}
