import type { Locator, Page } from 'playwright-core';

import { ContainerCard } from './container-card.js';

/** Banner kinds as the renderer marks them (`data-banner`). */
export type BannerKind =
  'transport-connecting' | 'transport-lost' | 'engine-connecting' | 'engine-disconnected' | 'demo';

/** The Bulkhead dashboard as a user sees it. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  /** Navigate; resolves with the HTTP status of the document. */
  async open(url: string): Promise<number | undefined> {
    const response = await this.page.goto(url);
    return response?.status();
  }

  cards(): Locator {
    return this.page.locator('article.card');
  }

  card(name: string): ContainerCard {
    return new ContainerCard(this.page.locator(`article.card[data-container-name=${JSON.stringify(name)}]`));
  }

  /** Names of the cards in column order. */
  cardNames(): Promise<string[]> {
    return this.cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-container-name') ?? ''));
  }

  async waitForCard(name: string, timeout = 15_000): Promise<ContainerCard> {
    const card = this.card(name);
    await card.root.waitFor({ state: 'visible', timeout });
    return card;
  }

  async waitForNoCard(name: string, timeout = 15_000): Promise<void> {
    await this.card(name).root.waitFor({ state: 'detached', timeout });
  }

  connectionPill(): Locator {
    return this.page.locator('.connection-pill');
  }

  engineName(): Locator {
    return this.page.locator('.app-header .engine-name');
  }

  endpointUrl(): Locator {
    return this.page.locator('.app-header .endpoint-url');
  }

  banner(kind: BannerKind): Locator {
    return this.page.locator(`[data-banner="${kind}"]`);
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name });
  }

  /** The container name of the focused card, or null if focus is elsewhere. */
  focusedCardName(): Promise<string | null> {
    return this.page.evaluate(() => document.activeElement?.getAttribute('data-container-name') ?? null);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: false });
  }
}
