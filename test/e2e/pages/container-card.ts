import type { Locator } from 'playwright-core';

/** One container card (a column of the grid). */
export class ContainerCard {
  constructor(readonly root: Locator) {}

  title(): Promise<string> {
    return this.root.locator('.card-title').innerText();
  }

  image(): Promise<string> {
    return this.root.locator('.image-ref').innerText();
  }

  /** The state badge text, e.g. `Running`. */
  state(): Promise<string> {
    return this.root.locator('.state-badge').innerText();
  }

  /** Whether the badge has its icon (state is not told by colour alone). */
  async stateHasIcon(): Promise<boolean> {
    return (await this.root.locator('.state-badge svg.icon').count()) === 1;
  }

  exitCode(): Promise<string> {
    return this.root.locator('.exit-code').innerText();
  }

  uptime(): Promise<string> {
    return this.root.locator('.uptime').innerText();
  }

  shortId(): Promise<string> {
    return this.root.locator('.short-id').innerText();
  }

  async hasDemoTag(): Promise<boolean> {
    const tag = this.root.locator('.demo-tag');
    return (await tag.count()) === 1 && (await tag.innerText()).includes('DEMO DATA');
  }
}
