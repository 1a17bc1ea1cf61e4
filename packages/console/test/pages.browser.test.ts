import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectNothingRan, launchChromium, signIn, watchPage, type PageWatch } from './browser.js';
import {
  deadLetter,
  hostile,
  hostileDeadLetter,
  operatorToken,
  startTestConsole,
  viewerUser,
  type ConsoleFixture,
} from './console-fixture.js';

/** The README shows these: each page as the browser test saw it. */
const screenshots = join(import.meta.dirname, '..', '..', '..', 'docs', 'console');

describe('console pages in Chromium', function () {
  this.timeout(60_000);
  let fixture: ConsoleFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;
  let hostileId: number;
  let hostileJobId: number;

  before(async () => {
    const records = [
      ...Array.from({ length: 30 }, (_, index) =>
        deadLetter(
          index % 3 === 0
            ? {
                originalTopic: 'payments',
                errorClass: 'LedgerError',
                errorMessage: `ledger ${index} unavailable`,
              }
            : {},
        ),
      ),
      hostileDeadLetter(),
    ];
    [fixture, browser] = await Promise.all([startTestConsole(records), launchChromium()]);
    hostileId = (await fixture.store.list({ originalTopic: 'hostile' }, { limit: 1 })).records[0]!
      .id;
    // What the Audit and Jobs pages show is attacker-controlled too: filters and actors.
    await fixture.store.appendAudit({
      actor: hostile.script,
      origin: 'api',
      action: 'replay',
      target: { originalTopic: hostile.image },
      outcome: { error: hostile.url },
      jobId: null,
    });
    hostileJobId = (
      await fixture.store.createReplayJob(
        {
          actor: hostile.image,
          origin: 'api',
          target: { grep: hostile.script },
          ratePerSecond: null,
          maxReplays: 3,
          force: false,
          total: 0,
          throughId: 0,
        },
        'a-runner-elsewhere',
      )
    ).id;
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    watch = watchPage(page);
    await page.goto(`${fixture.console.url}/records`);
    await page.fill('input[name="token"]', operatorToken);
    await Promise.all([page.waitForURL('**/records'), page.click('text=Sign in with a token')]);
    // The first visit was refused (401, the sign-in page): the browser logs that as an error.
    watch.errors.length = 0;
  });

  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  afterEach(() => expectNothingRan(watch));

  it('lists the records, filters them, and pages by cursor', async () => {
    expect(await page.textContent('h1')).to.include('31 match');
    await page.fill('input[name="topic"]', 'payments');
    await Promise.all([page.waitForURL('**/records?**'), page.click('button:text("Filter")')]);
    expect(await page.textContent('h1')).to.include('10 match');
    expect(await page.locator('table.records tbody tr').count()).to.equal(10);
    await page.goto(`${fixture.console.url}/records?limit=20`);
    await page.screenshot({ path: join(screenshots, 'records.png'), fullPage: false });
    await page.click('#next-page');
    expect(await page.locator('table.records tbody tr').count()).to.equal(11);
    // Oldest first, paged by the last id shown.
    await page.goto(`${fixture.console.url}/records?limit=20`);
    await page.click('#sort-oldest');
    const firstIds = await page.$$eval('table.records tbody tr td:nth-child(2)', (cells) =>
      cells.map((cell) => Number(cell.textContent)),
    );
    expect(firstIds).to.deep.equal(Array.from({ length: 20 }, (_, index) => index + 1));
    await page.click('#next-page');
    expect(await page.textContent('table.records tbody tr td:nth-child(2)')).to.equal('21');
    expect(await page.textContent('h1')).to.include('31 match');
  });

  it('renders a hostile record as text: no dialog, no script run, no injected element', async () => {
    for (const path of [
      '/records',
      `/records/${hostileId}`,
      '/overview',
      '/jobs',
      `/jobs/${hostileJobId}`,
      '/audit',
    ]) {
      await page.goto(`${fixture.console.url}${path}`);
      expect(await page.evaluate('window.__xss'), path).to.equal(undefined);
      expect(await page.locator('img').count(), path).to.equal(0);
      // The only scripts are the console's own two files.
      const scripts = await page.$$eval('script', (nodes) =>
        nodes.map((node) => node.getAttribute('src')),
      );
      expect(
        scripts.every((src) => src !== null && src.startsWith('/static/')),
        path,
      ).to.equal(true);
    }
    const text = await page
      .goto(`${fixture.console.url}/records/${hostileId}`)
      .then(() => page.textContent('main'));
    expect(text).to.include(hostile.script);
    expect(text).to.include(hostile.image);
    expect(text).to.include(hostile.url);
    // No link points anywhere but into the console.
    const links = await page.$$eval('a', (nodes) =>
      nodes.map((node) => node.getAttribute('href') ?? ''),
    );
    expect(links.filter((href) => !href.startsWith('/'))).to.deep.equal([]);
    await page.goto(`${fixture.console.url}/audit`);
    expect(await page.textContent('table.audit')).to.include(hostile.script);
  });

  it('shows a record: headers explained, value decoded, hex view, retry history', async () => {
    const id = (await fixture.store.list({ originalTopic: 'orders' }, { limit: 1 })).records[0]!.id;
    await page.goto(`${fixture.console.url}/records/${id}`);
    const text = (await page.textContent('main')) ?? '';
    expect(text).to.include('failed attempts so far');
    expect(text).to.include('"amount": 12');
    expect(text).to.include('In the retry tiers');
    await page.click('summary:text("Hex")');
    expect(await page.textContent('pre.hex')).to.match(/^00000000 {2}7b/);
    await page.screenshot({ path: join(screenshots, 'record.png'), fullPage: true });
  });

  it('draws the overview charts with Chart.js and groups error messages', async () => {
    await page.goto(`${fixture.console.url}/overview`);
    await page.waitForFunction("document.querySelectorAll('canvas.chart').length === 3");
    const drawn = await page.$$eval('canvas.chart', (nodes) =>
      nodes.map(
        (node) => (node as unknown as { width: number }).width > 0 && node.hasAttribute('style'),
      ),
    );
    expect(drawn).to.deep.equal([true, true, true]);
    // Each a line per group over the window's periods; the third by reason.
    const charts = await page.$$eval('canvas.chart', (nodes) =>
      nodes.map((node) => JSON.parse(node.getAttribute('data-chart') ?? '{}') as unknown),
    );
    const [, , byReason] = charts as Array<{
      periods: number[];
      series: Array<{ name: string; counts: number[] }>;
    }>;
    expect(byReason!.series.map((line) => line.name)).to.deep.equal([
      'retries-exhausted',
      'non-retryable-error',
    ]);
    for (const line of byReason!.series) {
      expect(line.counts).to.have.length(byReason!.periods.length);
    }
    expect(
      byReason!.series.map((line) => line.counts.reduce((sum, count) => sum + count, 0)),
    ).to.deep.equal([30, 1]);
    const messages = (await page.textContent('table')) ?? '';
    expect(messages).to.include('charge of order <n> timed out after <n> ms');
    expect(messages).to.include('ledger <n> unavailable');
    await page.screenshot({ path: join(screenshots, 'overview.png'), fullPage: true });
  });

  it('purges a selection after confirmation', async () => {
    await page.goto(`${fixture.console.url}/records?topic=payments`);
    const id = Number(
      await page.locator('table.records tbody tr input[name="id"]').first().getAttribute('value'),
    );
    await page.locator(`input[name="id"][value="${id}"]`).check();
    await Promise.all([
      page.waitForURL('**/records/purge/confirm'),
      page.click('text=Purge selected…'),
    ]);
    expect(await page.textContent('h1')).to.include('Purge 1 record?');
    await Promise.all([page.waitForURL('**/records/purge'), page.click('button:text("Purge 1")')]);
    expect(await page.textContent('main')).to.include('purged 1 record');
    expect((await fixture.store.get(id))?.status).to.equal('purged');
    const { entries } = await fixture.store.listAudit({ action: 'purge' }, { limit: 5 });
    expect(entries).to.have.length(1);
    expect(entries[0]).to.deep.include({
      origin: 'ui',
      target: { ids: [id] },
      outcome: { purged: 1 },
    });
    expect(entries[0]!.actor).to.match(/^operator-token:/);
  });

  it('shows a viewer no actions', async () => {
    const viewer = await browser.newPage();
    const viewerWatch = watchPage(viewer);
    await signIn(viewer, fixture.console.url, viewerUser);
    expect(await viewer.textContent('header')).to.include('(viewer)');
    expect(await viewer.locator('text=Purge selected…').count()).to.equal(0);
    await viewer.close();
    expect(viewerWatch.dialogs).to.deep.equal([]);
  });
});
