import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium package; .ci/run installs it when missing. */
export const chromiumPath = '/usr/bin/chromium';

/** One headless Chromium per test file: starting one costs about a second. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** What a page did that it must not: dialogs opened, console errors (CSP refusals among them). */
export interface PageWatch {
  readonly dialogs: string[];
  readonly errors: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      watch.errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  return watch;
}

/** Fails the test if the page opened a dialog or logged an error. */
export function expectNothingRan(watch: PageWatch): void {
  expect(watch.dialogs, 'dialogs opened').to.deep.equal([]);
  expect(watch.errors, 'console errors (CSP refusals among them)').to.deep.equal([]);
}

/** Signs in on the console's page with a name and password; resolves on the Records page. */
export async function signIn(
  page: Page,
  consoleUrl: string,
  user: { readonly name: string; readonly password: string },
): Promise<void> {
  await page.goto(`${consoleUrl}/login`);
  await page.fill('input[name="name"]', user.name);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForURL('**/records'), page.click('button:text("Sign in")')]);
}
