import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { ArchivedHeader } from '@ricochet/archive';
import { replayCountHeader, replayedFromHeader } from '@ricochet/core';
import { openReplayPublisher } from '@ricochet/replay';
import {
  collectTopic,
  createTestTopics,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  type CollectedRecord,
} from '@ricochet/testing';
import { expectNothingRan, launchChromium, signIn, watchPage, type PageWatch } from './browser.js';
import {
  deadLetter,
  operatorToken,
  operatorUser,
  startTestConsole,
  viewerUser,
  type ConsoleFixture,
} from './console-fixture.js';

const screenshots = join(import.meta.dirname, '..', '..', '..', 'docs', 'console');

const headerText = (record: CollectedRecord, name: string): string | undefined => {
  const value = record.headers[name];
  return value === undefined ? undefined : String(value);
};

/** Replays from the pages against the real broker: dry run, job, stop, resume, audit, roles. */
describe('console replays in Chromium, against the broker', function () {
  this.timeout(60_000);
  const selected = uniqueName('console-selected');
  const stoppable = uniqueName('console-stoppable');
  let fixture: ConsoleFixture;
  let browser: Browser;
  let page: Page;
  let watch: PageWatch;
  let selectedIds: number[];
  let guardedId: number;

  before(async () => {
    await createTestTopics([selected, stoppable]);
    const logger = testLogger('console-replay');
    const records = [
      ...[1, 2, 3].map((index) =>
        deadLetter({ originalTopic: selected, key: Buffer.from(`selected-${index}`) }),
      ),
      // Replayed three times before, failing each time: the loop guard's default limit.
      deadLetter({
        originalTopic: selected,
        key: Buffer.from('guarded'),
        headers: [{ name: replayCountHeader, value: Buffer.from('3') }],
      }),
      ...Array.from({ length: 6 }, (_, index) =>
        deadLetter({ originalTopic: stoppable, key: Buffer.from(`stoppable-${index}`) }),
      ),
    ];
    [fixture, browser] = await Promise.all([
      startTestConsole(records, {
        openPublisher: () =>
          openReplayPublisher({ ...testConnection(), clientId: 'console-test', logger }),
      }),
      launchChromium(),
    ]);
    const onSelected = (await fixture.store.listAfter(
      { originalTopic: selected },
      { afterId: 0, limit: 10 },
    )) as ReadonlyArray<{ id: number }>;
    selectedIds = onSelected.slice(0, 2).map((record) => record.id);
    guardedId = onSelected[3]!.id;
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    watch = watchPage(page);
    await signIn(page, fixture.console.url, operatorUser);
  });

  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  afterEach(() => expectNothingRan(watch));

  /** Waits for the job page's script to see the job end and reload it; resolves to its state. */
  async function jobEnds(): Promise<string> {
    // A selector, not a predicate: the console's CSP allows no script evaluated from text.
    await page.locator('#job-progress:not([data-state="running"])').waitFor({ timeout: 20_000 });
    return (await page.textContent('#job-state')) ?? '';
  }

  it('replays a selection after a dry run that shows the loop guard’s refusal and why', async () => {
    await page.goto(`${fixture.console.url}/records?topic=${selected}&order=oldest`);
    for (const id of [...selectedIds, guardedId]) {
      await page.locator(`input[name="id"][value="${id}"]`).check();
    }
    await Promise.all([page.waitForURL('**/replays/plan'), page.click('text=Replay selected…')]);
    expect(await page.textContent('#plan-replay')).to.equal('2');
    expect(await page.textContent('#plan-refused')).to.equal('1');
    const refusal = (await page.textContent('table.skipped')) ?? '';
    expect(refusal).to.include(String(guardedId));
    expect(refusal).to.include(
      "replayed 3 times already, the loop guard's limit is 3 (force to replay it anyway)",
    );
    await page.screenshot({ path: join(screenshots, 'replay-plan.png'), fullPage: true });

    // Forcing takes the refused record in; the plan says so before anything is sent.
    await page.check('input[name="force"]');
    await page.click('button:text("Check again")');
    expect(await page.textContent('#plan-replay')).to.equal('3');
    expect(await page.textContent('#plan-refused')).to.equal('0');
    await page.uncheck('input[name="force"]');
    await page.click('button:text("Check again")');

    await Promise.all([page.waitForURL('**/jobs/*'), page.click('button:text("Replay 2")')]);
    expect(await jobEnds()).to.equal('done');
    expect(await page.textContent('#job-replayed')).to.equal('2');
    expect(await page.textContent('#job-refused')).to.equal('1');
    await page.screenshot({ path: join(screenshots, 'job.png'), fullPage: true });

    const topic = await collectTopic(selected);
    try {
      const arrived = await waitFor('the replays on their original topic', () =>
        topic.records.length >= 2 ? topic.records : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(topic.records).to.have.length(2);
      expect(arrived.map((record) => headerText(record, replayedFromHeader)).sort()).to.deep.equal(
        selectedIds.map(String).sort(),
      );
      expect(arrived.map((record) => record.key?.toString()).sort()).to.deep.equal([
        'selected-1',
        'selected-2',
      ]);
      // The first replay of the first: it fails again, and the archiver archives it anew.
      const first = arrived.find(
        (record) => headerText(record, replayedFromHeader) === String(selectedIds[0]),
      )!;
      const headers: ArchivedHeader[] = Object.entries(first.headers).map(([name, value]) => ({
        name,
        value: Buffer.from(String(value)),
      }));
      await fixture.store.insert([
        deadLetter({ originalTopic: selected, key: first.key, headers, errorMessage: 'again' }),
      ]);
    } finally {
      await topic.stop();
    }
    expect((await fixture.store.get(selectedIds[0]!))?.status).to.equal('replayed');
    expect((await fixture.store.get(guardedId))?.status).to.equal('archived');
  });

  it('shows on a record page its replays and what became of them', async () => {
    await page.goto(`${fixture.console.url}/records/${selectedIds[0]}`);
    const replays = (await page.textContent('#replays')) ?? '';
    expect(replays).to.include('1 of its 1 replay failed again and was archived anew');
    await page.click('#replays table a');
    expect(await page.textContent('main')).to.include(
      `A replay of record ${selectedIds[0]} that failed again`,
    );
    expect(await page.textContent('#replays')).to.include('Never replayed');
  });

  it('stops a job and resumes it where it stopped', async () => {
    await page.goto(`${fixture.console.url}/records?topic=${stoppable}`);
    await Promise.all([
      page.waitForURL('**/replays/plan'),
      page.click('button:text("Replay all 6 matching…")'),
    ]);
    // One a second, stopped once the first is replayed: under load a faster job (or a fixed
    // pause) could finish before the stop, which the console then refuses (409).
    await page.fill('input[name="rate"]', '1');
    await Promise.all([page.waitForURL('**/jobs/*'), page.click('button:text("Replay 6")')]);
    await page.locator('#job-replayed:not(:text-is("0"))').waitFor({ timeout: 20_000 });
    await Promise.all([page.waitForURL('**/jobs/*'), page.click('#stop-job')]);
    expect(await page.textContent('#job-state')).to.equal('stopped');
    const stoppedAt = Number(await page.textContent('#job-replayed'));
    expect(stoppedAt).to.be.within(1, 5);
    await page.goto(`${fixture.console.url}/jobs`);
    await page.screenshot({ path: join(screenshots, 'jobs.png'), fullPage: true });
    await page.click('table.jobs a >> nth=0');
    await Promise.all([page.waitForURL('**/jobs/*'), page.click('#resume-job')]);
    expect(await jobEnds()).to.equal('done');
    expect(await page.textContent('#job-replayed')).to.equal('6');

    const topic = await collectTopic(stoppable);
    try {
      await waitFor('the six replays', () => (topic.records.length >= 6 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Each once: the stop saved exactly how far it got, and the resumed run went on from there.
      const keys = topic.records.map((record) => record.key?.toString()).sort();
      expect(keys).to.deep.equal(Array.from({ length: 6 }, (_, index) => `stoppable-${index}`));
    } finally {
      await topic.stop();
    }
  });

  it('lists every replay run and purge in the audit, with who and from where', async () => {
    const purge = await fetch(`${fixture.console.url}/api/v1/purges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [guardedId] }),
    });
    expect(purge.status).to.equal(200);
    await page.goto(`${fixture.console.url}/audit`);
    const rows = await page.$$eval('table.audit tbody tr', (nodes) =>
      nodes.map((node) =>
        [...node.querySelectorAll('td')].slice(2, 5).map((cell) => cell.textContent),
      ),
    );
    expect(rows[0]?.[1]).to.equal('api');
    expect(rows[0]?.[2]).to.equal('purge');
    // One row per run: the selection, and the stopped job's two runs.
    expect(rows.slice(1)).to.deep.equal([
      [operatorUser.name, 'ui', 'replay'],
      [operatorUser.name, 'ui', 'replay'],
      [operatorUser.name, 'ui', 'replay'],
    ]);
    await page.screenshot({ path: join(screenshots, 'audit.png'), fullPage: true });
    await page.selectOption('select[name="action"]', 'purge');
    await page.click('button:text("Filter")');
    expect(await page.locator('table.audit tbody tr').count()).to.equal(1);
  });

  it('refuses a viewer’s replay with 403 and offers none', async () => {
    const viewer = await browser.newPage();
    await signIn(viewer, fixture.console.url, viewerUser);
    expect(await viewer.locator('text=Replay selected…').count()).to.equal(0);
    const csrf = await viewer.inputValue('#selection input[name="_csrf"]');
    const refused = await viewer.request.post(`${fixture.console.url}/replays`, {
      form: { _csrf: csrf, scope: 'selection', id: String(selectedIds[1]) },
      headers: { origin: fixture.console.url },
    });
    expect(refused.status()).to.equal(403);
    await viewer.close();
    const jobs = await fixture.store.listReplayJobs({}, { limit: 10 });
    expect(jobs.jobs).to.have.length(2);
  });
});
