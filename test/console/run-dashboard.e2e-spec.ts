/**
 * The run dashboard against a real app, the sandbox and the sending engine: a
 * campaign sends at 2 a second while the dashboard watches it, its progress
 * moves and finishes, the counts are the API's, failures are listed by reason,
 * the recipients filter and export, and pause / resume / retry-failed work from
 * the screen with their confirmations and the API's 409 answers explained.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { RunStats } from '../../src/console/types';
import { CampaignRunsService } from '../../src/campaigns/campaign-runs.service';
import { ManualClock } from '../../src/common/clock';
import { auth, type TestApp } from '../harness/app';
import { importCsv, PAGE_ID } from '../harness/audience';
import {
  checkScreen,
  closeTab,
  openConsole,
  startConsoleApp,
  stopConsoleApp,
  WIDTHS,
} from '../harness/browser';
import { createCampaign, createSegment, ENGINE_ENV } from '../harness/campaigns';
import { eventually } from '../harness/eventually';

jest.setTimeout(240_000);

const psid = (n: number) => String(7_100_000_000_000_000 + n);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

/** The number a stat tile shows. */
async function tile(page: Page, label: string): Promise<number> {
  const text = await page
    .locator('.run-stats .stat')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
    .locator('dd')
    .innerText();
  return Number(text.replace(/[^\d]/g, ''));
}

async function tiles(page: Page) {
  const labels = {
    audience: 'Audience',
    sent: 'Sent',
    delivered: 'Delivered',
    read: 'Read',
    failed: 'Failed',
    skipped: 'Skipped',
    unknown: 'Unknown',
    pending: 'Waiting',
  } as const;
  const shown: Record<string, number> = {};
  for (const [key, label] of Object.entries(labels)) shown[key] = await tile(page, label);
  return shown;
}

const progressNow = async (page: Page) =>
  Number(
    await page.getByRole('progressbar', { name: 'Recipients done' }).getAttribute('aria-valuenow'),
  );

async function confirm(page: Page, opener: string, confirmLabel: string, question: RegExp) {
  await page.getByRole('button', { name: opener, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  expect(await dialog.innerText()).toMatch(question);
  await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

const statusBadge = (page: Page, status: string) =>
  page.locator('.run-meta .badge', { hasText: new RegExp(`^${status}$`) });

describe('console: run dashboard', () => {
  let t: TestApp;
  let browser: Browser;
  const get = async (path: string) =>
    (await t.http().get(`/api${path}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    ({ t, browser } = await startConsoleApp({ env: ENGINE_ENV }));
  });
  afterAll(() => stopConsoleApp(t, browser));

  it('follows a run live, matches the API, filters and exports, pauses, resumes and retries', async () => {
    const open = Array.from({ length: 40 }, (_, i) => psid(i));
    const closed = [psid(100), psid(101), psid(102)];
    const never = [psid(200)];
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at',
        ...open.map((p, i) => `${p},Name${i},${hoursAgo(1)}`),
        ...closed.map((p) => `${p},Old,${hoursAgo(48)}`),
        ...never.map((p) => `${p},New,`),
      ].join('\n'),
    );
    const permanent = {
      [open[5]]: { code: 551, subcode: 1545041 },
      [open[9]]: { code: 100, subcode: 2018001 },
    };
    t.sandbox!.sandbox.setScenario({
      errorsByPsid: {
        ...permanent,
        [open[12]]: { code: 2, times: 10 }, // retryable, still failing after every attempt
        [open[15]]: { code: 1, subcode: 1357046, times: 1 }, // no clear answer: unknown
      },
    });
    const id = await createCampaign(t, await createSegment(t), {
      name: 'Winter sale',
      ratePerSecond: 2,
    });
    await t.http().post(`/api/campaigns/${id}/publish`).set(auth).send({ force: true }).expect(200);
    const path = `/pages/${PAGE_ID}/campaigns/${id}/run`;
    const desktop = await openConsole(browser, t, { width: WIDTHS.desktop, path });
    const phone = await openConsole(browser, t, { width: WIDTHS.phone, path });

    // Sending: the bar moves on its own, with the speed and the time left.
    for (const page of [desktop, phone]) {
      await page.getByRole('heading', { name: 'Winter sale', level: 1 }).waitFor();
      await statusBadge(page, 'running').waitFor();
      await page.getByRole('progressbar', { name: 'Recipients done' }).waitFor();
    }
    const first = await eventually(
      () => progressNow(desktop),
      (done) => done > 0,
      { everyMs: 100, timeoutMs: 30_000 },
    );
    await eventually(
      () => progressNow(desktop),
      (done) => done > first,
      { everyMs: 100, timeoutMs: 30_000 },
    );
    expect(await desktop.locator('.run-pace').innerText()).toMatch(/messages per second/);
    expect(await desktop.locator('.run-times').innerText()).toMatch(/Started\s+.*\b(CET|CEST)\b/);
    await checkScreen(desktop, 'run-dashboard-sending');
    await checkScreen(phone, 'run-dashboard-sending');

    // Pause, with its question; nothing is paused before the answer.
    await desktop.getByRole('button', { name: 'Pause sending' }).click();
    const question = desktop.getByRole('dialog');
    await question.waitFor();
    await question.getByRole('button', { name: 'Keep as is' }).click();
    expect((await get(`/campaigns/${id}`)).status).toBe('running');
    await confirm(desktop, 'Pause sending', 'Pause', /Pause “Winter sale”\?/);
    await statusBadge(desktop, 'paused').waitFor();
    await desktop
      .getByRole('status')
      .filter({ hasText: /^Paused at .*(CET|CEST)\. Messages already/ })
      .waitFor();
    expect((await get(`/campaigns/${id}`)).status).toBe('paused');
    expect(await desktop.locator('.run-pace').innerText()).toMatch(/Paused/);

    // The message changes while paused: the API wants a test-send first, the screen says so.
    await t
      .http()
      .patch(`/api/campaigns/${id}`)
      .set(auth)
      .send({ message: { kind: 'text', text: 'Hello {{ user.firstName }}' } })
      .expect(200);
    await confirm(desktop, 'Resume sending', 'Resume', /Resume “Winter sale”\?/);
    const refusal = desktop
      .getByRole('alert')
      .filter({ hasText: 'Not resumed: the message changed since it went live.' });
    await refusal.waitFor();
    expect((await get(`/campaigns/${id}`)).status).toBe('paused');
    await confirm(desktop, 'Resume without a test-send', 'Resume anyway', /without a test-send/);
    await statusBadge(desktop, 'running').waitFor();
    await refusal.waitFor({ state: 'detached' });

    // Completed: the bar is full and every count is the API's.
    await statusBadge(desktop, 'completed').waitFor({ timeout: 60_000 });
    const runId = (await get(`/campaigns/${id}/runs`)).items[0]._id as string;
    const stats: RunStats = await get(`/campaigns/${id}/stats?runId=${runId}`);
    expect(stats).toMatchObject({
      audience: 44,
      pending: 0,
      sent: 36,
      failed: 3,
      skipped: 4,
      unknown: 1,
    });
    const expected = {
      audience: stats.audience,
      sent: stats.sent,
      delivered: stats.delivered,
      read: stats.read,
      failed: stats.failed,
      skipped: stats.skipped,
      unknown: stats.unknown,
      pending: stats.pending,
    };
    await eventually(
      () => tiles(desktop),
      (shown) => JSON.stringify(shown) === JSON.stringify(expected),
      { everyMs: 200 },
    );
    const bar = desktop.getByRole('progressbar', { name: 'Recipients done' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('44');
    expect(await bar.getAttribute('aria-valuemax')).toBe('44');
    expect(await desktop.locator('.run-times').innerText()).toMatch(/Finished\s+.*\b(CET|CEST)\b/);
    // The chart drew itself from what the screen watched, with a text alternative.
    const chart = desktop.getByRole('img', { name: /Outcomes over time/ });
    await chart.waitFor();
    expect(await chart.locator('desc').textContent()).toContain('Sent 36');

    // Failures and skips by reason, each as the stats count them.
    const failures = desktop.getByRole('table', { name: 'Failed or unknown, by reason' });
    const skips = desktop.getByRole('table', { name: 'Skipped, by reason' });
    for (const [reason, count] of Object.entries(stats.byReason)) {
      const table = ['window_closed', 'unknown_window', 'suppressed'].includes(reason)
        ? skips
        : failures;
      const row = table.getByRole('row').filter({ hasText: reason });
      expect(await row.locator('td').innerText()).toBe(String(count));
    }
    expect(stats.byReason).toMatchObject({
      graph_551_1545041: 1,
      graph_100_2018001: 1,
      window_closed: 3,
      unknown_window: 1,
    });

    await statusBadge(phone, 'completed').waitFor({ timeout: 30_000 });
    await eventually(
      () => tiles(phone),
      (shown) => JSON.stringify(shown) === JSON.stringify(expected),
      { everyMs: 200 },
    );
    await checkScreen(desktop, 'run-dashboard-completed');
    await checkScreen(phone, 'run-dashboard-completed');

    // The recipients filtered to the failed ones, at both widths.
    const failedPsids = (
      await get(`/campaigns/${id}/deliveries?status=failed&runId=${runId}`)
    ).items
      .map((item: { psid: string }) => item.psid)
      .sort();
    expect(failedPsids).toEqual([open[5], open[9], open[12]].sort());
    for (const page of [desktop, phone]) {
      await page.getByLabel('Outcome', { exact: true }).selectOption('failed');
      const table = page.getByRole('table', { name: /Recipients of this run, outcome Failed/ });
      await table.waitFor();
      const rows = table.locator('tbody tr');
      await eventually(
        () => rows.count(),
        (count) => count === failedPsids.length,
        { everyMs: 100 },
      );
      const shownPsids = (await table.locator('tbody tr td:first-child').allInnerTexts())
        .map((text) => text.trim())
        .sort();
      expect(shownPsids).toEqual(failedPsids);
      expect(await table.locator('tbody .badge').allInnerTexts()).toEqual(
        failedPsids.map(() => 'failed'),
      );
      await checkScreen(page, 'run-deliveries-failed');
    }

    // The CSV export of what the filter shows: the whole run's failed recipients.
    const [file] = await Promise.all([
      desktop.waitForEvent('download'),
      desktop.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`campaign-${id}-${runId}-failed.csv`);
    const records: Record<string, string>[] = parse(readFileSync(await file.path(), 'utf8'), {
      columns: true,
    });
    expect(records.map((record) => record.psid).sort()).toEqual(failedPsids);
    expect(records.every((record) => record.status === 'failed')).toBe(true);
    expect(records.find((record) => record.psid === open[5])).toMatchObject({
      reason: 'graph_551_1545041',
      errorCode: '551',
    });

    // One recipient found by PSID among the failed ones.
    await desktop.getByLabel('PSID').fill(open[9]);
    const found = desktop.getByRole('table', { name: /Recipients of this run/ });
    await eventually(
      async () =>
        (await found.locator('tbody tr td:first-child').allInnerTexts()).map((x) => x.trim()),
      (shown) => shown.length === 1 && shown[0] === open[9],
      { everyMs: 100 },
    );
    await desktop.getByLabel('PSID').fill('');

    // Retry-failed: the retryable failure and the unknown go again; the permanent ones stay.
    t.sandbox!.sandbox.setScenario({ errorsByPsid: permanent });
    await confirm(desktop, 'Retry failed', 'Send again', /3 failed and 1 unknown/);
    await desktop
      .getByRole('status')
      .filter({ hasText: /^Retry started at .*: 2 recipients are sent the message again\.$/ })
      .waitFor();
    // The retry answered `running`: wait for its round to end, then for the screen to show it.
    await eventually(
      () => get(`/campaigns/${id}`),
      (campaign) => campaign.status === 'completed',
      { timeoutMs: 60_000 },
    );
    await statusBadge(desktop, 'completed').waitFor({ timeout: 60_000 });
    const after: RunStats = await get(`/campaigns/${id}/stats?runId=${runId}`);
    expect(after).toMatchObject({ sent: 38, failed: 2, unknown: 0, skipped: 4 });
    await eventually(
      async () => [await tile(desktop, 'Sent'), await tile(desktop, 'Failed')],
      ([sent, failed]) => sent === 38 && failed === 2,
      { everyMs: 200 },
    );
    // Only permanent refusals are left: the API's 409 is explained.
    await confirm(desktop, 'Retry failed', 'Send again', /2 failed and 0 unknown/);
    await desktop.getByRole('status').filter({ hasText: 'Nothing to send again.' }).waitFor();

    await closeTab(desktop);
    await closeTab(phone);
  });
});

describe('console: run dashboard of a recurring campaign', () => {
  // The scheduler's time moves by hand; sends run in real time.
  const clock = new ManualClock(new Date('2026-11-23T07:00:00Z'));
  let t: TestApp;
  let browser: Browser;
  const get = async (path: string) =>
    (await t.http().get(`/api${path}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    ({ t, browser } = await startConsoleApp({ clock, env: ENGINE_ENV }));
  });
  afterAll(() => stopConsoleApp(t, browser));

  it('picks a run among the occurrences, with times in the schedule’s zone too', async () => {
    await importCsv(t, `psid,first_name\n${psid(1000)},Ana\n${psid(1001)},Bo\n`);
    const id = await createCampaign(t, await createSegment(t), {
      name: 'Monday news',
      schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'America/New_York' },
      delivery: { policy: 'window', attemptUnknownWindow: true },
    });
    await t.http().post(`/api/campaigns/${id}/publish`).set(auth).send({ force: true }).expect(200);
    for (const monday of ['2026-11-23T14:00:00Z', '2026-11-30T14:00:00Z']) {
      clock.set(new Date(monday));
      expect(await t.app.get(CampaignRunsService).tick()).toBe(1);
      await eventually(
        () => get(`/campaigns/${id}`),
        (c) => c.status === 'scheduled' && !c.activeRunId,
      );
      // One more user for the second occurrence.
      if (monday.startsWith('2026-11-23'))
        await importCsv(t, `psid,first_name\n${psid(1002)},Cy\n`);
    }
    const runs = (await get(`/campaigns/${id}/runs`)).items;
    expect(runs).toHaveLength(2);

    for (const width of [WIDTHS.desktop, WIDTHS.phone]) {
      const page = await openConsole(browser, t, {
        width,
        path: `/pages/${PAGE_ID}/campaigns/${id}/run`,
      });
      await page.getByRole('heading', { name: 'Monday news', level: 1 }).waitFor();
      const picker = page.getByLabel('Run to show');
      await picker.waitFor();
      expect(await picker.locator('option').count()).toBe(2);
      // The latest run first: three users.
      await eventually(
        () => tile(page, 'Audience'),
        (audience) => audience === 3,
        { everyMs: 100 },
      );
      expect(await page.locator('.run-times').innerText()).toMatch(/\((.*)(EST|GMT-5)\)/);
      await picker.selectOption(runs[1]._id as string);
      await eventually(
        async () => [await tile(page, 'Audience'), await tile(page, 'Sent')],
        ([audience, sent]) => audience === 2 && sent === 2,
        { everyMs: 100 },
      );
      await checkScreen(page, 'run-dashboard-recurring');
      await closeTab(page);
    }
  });
});
