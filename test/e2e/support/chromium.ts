import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** The size every screenshot is taken at. */
export const VIEWPORT = { width: 1440, height: 900 };

/** Launch /usr/bin/chromium headless, as the other e2e tests do. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
