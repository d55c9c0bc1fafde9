/**
 * Campaigns through the HTTP API with the sandbox: create → preview → test-send
 * (success, a 551 user, an outside-window user) → publish refused → publish after
 * a test → scheduled at the right time; a new message version needs a new test.
 */
import { CampaignRunsService } from '../src/campaigns/campaign-runs.service';
import { ManualClock } from '../src/common/clock';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';

const OK_PSID = '6543210987654321';
const GONE_PSID = '6543210987654322';
const CLOSED_PSID = '6543210987654323';
const NEVER_PSID = '6543210987654324';

describe('campaigns', () => {
  let t: TestApp;
  let segmentId: string;
  const api = (path: string) => `/api${path}`;
  const post = (path: string, body: object = {}) => t.http().post(api(path)).set(auth).send(body);

  beforeAll(async () => {
    t = await createTestApp({ sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] } });
    await registerPage(t);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at,city',
        `${OK_PSID},Ana,${recent},Lyon`,
        `${GONE_PSID},Bo,${recent},Lyon`,
        `${CLOSED_PSID},Cy,${old},Lyon`,
        `${NEVER_PSID},,,Lyon`,
        `6543210987654325,Ed,${recent},Paris`,
      ].join('\n'),
    );
    await t.db.collection('users').updateOne({ psid: GONE_PSID }, { $set: { suppressed: true } });
    segmentId = (
      await post(`/pages/${PAGE_ID}/segments`, {
        name: 'Lyon',
        rules: { attribute: 'city', op: 'eq', value: 'Lyon' },
      }).expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  const restock = (overrides: Record<string, unknown> = {}) => ({
    name: 'Restock',
    segmentId,
    message: {
      kind: 'text',
      text: 'Hi {{ user.firstName | default: "there" }}, {{ user.attributes.city }} store is open',
      quickReplies: ['Shop now', 'user_email'],
    },
    delivery: { policy: 'window' },
    schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' },
    ...overrides,
  });

  it('runs the marketer’s flow: create, preview, test-send, publish', async () => {
    const created = (await post(`/pages/${PAGE_ID}/campaigns`, restock()).expect(201)).body;
    expect(created).toMatchObject({
      status: 'draft',
      messageVersion: 1,
      ratePerSecond: 40,
      maxErrors: 1000,
      delivery: { policy: 'window', attemptUnknownWindow: false },
    });

    const preview = (await post(`/campaigns/${created.id}/preview`).expect(200)).body;
    expect(preview.eligibility).toEqual({
      audience: 4,
      eligible: 1,
      window_closed: 1,
      unknown_window: 1,
      no_token: 0,
      suppressed: 1,
      thread_owned_by_other_app: 0,
    });
    const ana = preview.samples.find((sample: { psid: string }) => sample.psid === OK_PSID);
    expect(ana.request).toEqual({
      recipient: { id: OK_PSID },
      messaging_type: 'UPDATE',
      message: {
        text: 'Hi Ana, Lyon store is open',
        quick_replies: [
          { content_type: 'text', title: 'Shop now', payload: 'Shop now' },
          { content_type: 'user_email' },
        ],
      },
    });
    expect(t.sandbox!.sandbox.requests({ endpoint: 'messages' })).toHaveLength(0);
    expect(preview.unsaved).toBe(false);

    // An unsaved message previews as it would render, checked as a save would, stored nowhere.
    const unsaved = (
      await post(`/campaigns/${created.id}/preview`, {
        psids: [OK_PSID],
        message: { kind: 'text', text: 'Bonjour {{ user.firstName }}' },
      }).expect(200)
    ).body;
    expect(unsaved).toMatchObject({ unsaved: true, messageVersion: 1 });
    expect(unsaved.samples[0].request.message).toEqual({ text: 'Bonjour Ana' });
    const refusedDraft = (
      await post(`/campaigns/${created.id}/preview`, {
        message: { kind: 'text', text: 'x'.repeat(2001) },
      }).expect(400)
    ).body;
    expect(refusedDraft.details.map((detail: { field: string }) => detail.field)).toEqual([
      'message.text',
    ]);
    // Unsaved schedule and rate are checked as a save would check them.
    const refusedRate = (
      await post(`/campaigns/${created.id}/preview`, { ratePerSecond: 0 }).expect(400)
    ).body;
    expect(refusedRate.details.map((detail: { field: string }) => detail.field)).toEqual([
      'ratePerSecond',
    ]);
    const pastAt = (
      await post(`/campaigns/${created.id}/preview`, {
        schedule: { type: 'at', at: '2020-01-01T00:00:00Z' },
      }).expect(400)
    ).body;
    expect(pastAt.details.map((detail: { field: string }) => detail.field)).toEqual([
      'schedule.at',
    ]);
    const stored = await t
      .http()
      .get(api(`/campaigns/${created.id}`))
      .set(auth)
      .expect(200);
    expect(stored.body).toMatchObject({ messageVersion: 1, message: restock().message });

    expect((await post(`/campaigns/${created.id}/publish`).expect(409)).body).toMatchObject({
      error: 'test_send_required',
    });

    t.sandbox!.sandbox.setScenario({
      errorsByPsid: { [GONE_PSID]: { code: 551, subcode: 1545041 } },
      outsideWindowPsids: [CLOSED_PSID],
    });
    const refused = (
      await post(`/campaigns/${created.id}/test-send`, { psid: GONE_PSID }).expect(422)
    ).body;
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 551, subcode: 1545041, class: 'permanent' },
    });
    const closed = (
      await post(`/campaigns/${created.id}/test-send`, { psid: CLOSED_PSID }).expect(422)
    ).body;
    expect(closed.error).toMatchObject({ code: 10, subcode: 2018278, reason: 'window_closed' });
    await post(`/campaigns/${created.id}/publish`).expect(409);

    const sent = (await post(`/campaigns/${created.id}/test-send`, { psid: OK_PSID }).expect(200))
      .body;
    expect(sent).toMatchObject({
      ok: true,
      messageId: expect.stringMatching(/^m_/),
      messageVersion: 1,
    });
    expect(sent.request.message.text).toBe('Hi Ana, Lyon store is open');
    expect(t.sandbox!.sandbox.requests({ endpoint: 'messages', psid: OK_PSID })[0].body).toEqual(
      sent.request,
    );

    const published = (await post(`/campaigns/${created.id}/publish`).expect(200)).body;
    expect(published.status).toBe('scheduled');
    const nextMonday9Paris = nextWeekday(1, 9, 'Europe/Paris');
    expect(new Date(published.nextRunAt).toISOString()).toBe(nextMonday9Paris.toISOString());
    expect(
      (
        await t
          .http()
          .get(api(`/campaigns/${created.id}`))
          .set(auth)
          .expect(200)
      ).body,
    ).toMatchObject({ status: 'scheduled' });
  });

  it('refuses publish again after the message changes, until the new version is tested', async () => {
    const created = (
      await post(`/pages/${PAGE_ID}/campaigns`, restock({ name: 'Edited' })).expect(201)
    ).body;
    await post(`/campaigns/${created.id}/test-send`, { psid: OK_PSID }).expect(200);
    const edited = (
      await t
        .http()
        .patch(api(`/campaigns/${created.id}`))
        .set(auth)
        .send({ message: { kind: 'text', text: 'New text' } })
        .expect((response) => {
          if (response.status !== 200) throw new Error(JSON.stringify(response.body));
        })
    ).body;
    expect(edited.messageVersion).toBe(2);
    await t
      .http()
      .patch(api(`/campaigns/${created.id}`))
      .set(auth)
      .send({ name: 'Renamed' })
      .expect(200);
    expect((await post(`/campaigns/${created.id}/publish`).expect(409)).body.error).toBe(
      'test_send_required',
    );
    expect(
      (await post(`/campaigns/${created.id}/publish`, { force: true }).expect(200)).body.status,
    ).toBe('scheduled');
    const refused = (
      await t
        .http()
        .patch(api(`/campaigns/${created.id}`))
        .set(auth)
        .send({ name: 'x' })
        .expect(409)
    ).body;
    expect(refused).toMatchObject({ error: 'not_editable', status: 'scheduled' });
  });

  it('starts a `now` campaign at once with one run, and follows the transition table', async () => {
    // No schedule given: it defaults to now.
    const { schedule: _omitted, ...withoutSchedule } = restock({ name: 'Now' });
    const created = (await post(`/pages/${PAGE_ID}/campaigns`, withoutSchedule).expect(201)).body;
    expect(created.schedule).toEqual({ type: 'now' });
    expect(
      (await post(`/campaigns/${created.id}/publish`, { force: true }).expect(200)).body,
    ).toEqual({ status: 'running' });
    const runs = (
      await t
        .http()
        .get(api(`/campaigns/${created.id}/runs`))
        .set(auth)
        .expect(200)
    ).body.items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ campaignId: created.id, messageVersion: 1, status: 'started' });
    expect(
      (await post(`/campaigns/${created.id}/publish`, { force: true }).expect(409)).body,
    ).toMatchObject({ error: 'invalid_transition', status: 'running' });
    expect((await post(`/campaigns/${created.id}/resume`).expect(409)).body).toMatchObject({
      status: 'running',
    });
    await post(`/campaigns/${created.id}/pause`).expect(200, { status: 'paused' });
    await post(`/campaigns/${created.id}/resume`).expect(200, { status: 'running' });
    await post(`/campaigns/${created.id}/cancel`).expect(200, { status: 'cancelled' });
    expect((await post(`/campaigns/${created.id}/pause`).expect(409)).body).toMatchObject({
      error: 'invalid_transition',
      status: 'cancelled',
    });
    await t
      .http()
      .delete(api(`/campaigns/${created.id}`))
      .set(auth)
      .expect(409);
  });

  it.each([
    [
      { message: { kind: 'text', text: 'x'.repeat(2001) } },
      'message.text',
      'must be at most 2000 characters',
    ],
    [
      { message: { kind: 'text', text: 'Hi {{ user.firstName | shout }}' } },
      'message.text',
      expect.stringContaining('undefined filter: shout'),
    ],
    [
      { message: { kind: 'text', text: 'Hi {{ user.firstName ' } },
      'message.text',
      expect.stringContaining('not closed'),
    ],
    [
      { delivery: { policy: 'tag', tag: 'CONFIRMED_EVENT_UPDATE' } },
      'delivery.tag',
      expect.stringContaining('ALLOWED_MESSAGE_TAGS'),
    ],
    [{ delivery: { policy: 'otn' } }, 'delivery.topic', expect.any(String)],
    [
      { schedule: { type: 'at', at: '2020-01-01T09:00:00Z' } },
      'schedule.at',
      'must be in the future',
    ],
    [
      { schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'Paris' } },
      'schedule.timezone',
      expect.stringContaining('IANA'),
    ],
    [
      {
        message: { kind: 'attachment', attachmentType: 'video', url: 'https://x.io/v.mp4' },
        ratePerSecond: 40,
      },
      'ratePerSecond',
      'must be at most 10 for audio and video',
    ],
    [{ ratePerSecond: 301 }, 'ratePerSecond', expect.stringContaining('300')],
    [
      { segmentId: '0123456789abcdef01234567' },
      'segmentId',
      expect.stringContaining('no such segment'),
    ],
  ])('refuses %j at save time, naming the field', async (overrides, field, reason) => {
    const { body } = await post(`/pages/${PAGE_ID}/campaigns`, restock(overrides)).expect(400);
    expect(body.details).toEqual(expect.arrayContaining([{ field, reason }]));
  });

  it('keeps the stored campaign when an edit is refused, and names unknown or malformed ids', async () => {
    const created = (
      await post(`/pages/${PAGE_ID}/campaigns`, restock({ name: 'Keep' })).expect(201)
    ).body;
    const { body } = await t
      .http()
      .patch(api(`/campaigns/${created.id}`))
      .set(auth)
      .send({ name: 'Changed', message: { kind: 'buttons', text: 'Pick', buttons: [] } })
      .expect(400);
    expect(body.details).toEqual([
      { field: 'message.buttons', reason: 'must hold 1 to 3 buttons' },
    ]);
    const stored = (
      await t
        .http()
        .get(api(`/campaigns/${created.id}`))
        .set(auth)
        .expect(200)
    ).body;
    expect(stored).toMatchObject({ name: 'Keep', messageVersion: 1, message: created.message });
    await t.http().get(api('/campaigns/0123456789abcdef01234567')).set(auth).expect(404);
    const malformed = (await t.http().get(api('/campaigns/42')).set(auth).expect(400)).body;
    expect(malformed.details).toEqual([{ field: 'campaignId', reason: 'must be a campaign id' }]);
    const unknownQuery = (
      await t.http().get(`/api/pages/${PAGE_ID}/users?page=2`).set(auth).expect(400)
    ).body;
    expect(unknownQuery.details).toEqual([{ field: 'page', reason: 'is not an allowed field' }]);
  });

  describe('input rules over HTTP (issue 7, item 4)', () => {
    const getCampaign = async (id: string) =>
      (
        await t
          .http()
          .get(api(`/campaigns/${id}`))
          .set(auth)
          .expect(200)
      ).body;
    const patch = (id: string, body: object) =>
      t
        .http()
        .patch(api(`/campaigns/${id}`))
        .set(auth)
        .send(body);

    it.each(['name', 'ratePerSecond', 'maxErrors', 'segmentId', 'message', 'delivery', 'schedule'])(
      'refuses null for %s on PATCH, naming it, and keeps the stored campaign',
      async (field) => {
        const created = (
          await post(`/pages/${PAGE_ID}/campaigns`, restock({ name: 'Nulls' })).expect(201)
        ).body;
        const before = await getCampaign(created.id);
        const { body } = await patch(created.id, { [field]: null }).expect(400);
        expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(body.details).toEqual([expect.objectContaining({ field })]);
        expect(await getCampaign(created.id)).toEqual(before);
      },
    );

    it.each([
      [
        'an at time without a UTC offset',
        { schedule: { type: 'at', at: '2099-11-27T09:00:00' } },
        'schedule.at',
        'must be an ISO 8601 date-time with an offset, e.g. 2026-11-27T09:00:00+01:00',
      ],
      [
        'an at time that is a date only',
        { schedule: { type: 'at', at: '2099-11-27' } },
        'schedule.at',
        'must be an ISO 8601 date-time with an offset, e.g. 2026-11-27T09:00:00+01:00',
      ],
      [
        'a rate given as a string',
        { ratePerSecond: '40' },
        'ratePerSecond',
        'must be an integer number',
      ],
      [
        'an unknown key inside schedule',
        { schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris', tz: 'UTC' } },
        'schedule.tz',
        'is not an allowed field',
      ],
      [
        'an unknown key inside an at schedule',
        { schedule: { type: 'at', at: '2099-11-27T09:00:00Z', repeat: true } },
        'schedule.repeat',
        'is not an allowed field',
      ],
      [
        'an unknown key inside delivery',
        { delivery: { policy: 'window', attemptUnknownWindow: false, tag: 'HUMAN_AGENT' } },
        'delivery.tag',
        'is not an allowed field',
      ],
    ])(
      'refuses %s on create and on PATCH, with that one reason, storing nothing',
      async (_name, input, field, reason) => {
        const count = await t.db.collection('campaigns').countDocuments();
        const refused = await post(`/pages/${PAGE_ID}/campaigns`, restock(input)).expect(400);
        expect(refused.body.details).toEqual([{ field, reason }]);
        expect(await t.db.collection('campaigns').countDocuments()).toBe(count);

        const created = (
          await post(`/pages/${PAGE_ID}/campaigns`, restock({ name: 'Rules' })).expect(201)
        ).body;
        const before = await getCampaign(created.id);
        const { body } = await patch(created.id, input).expect(400);
        expect(body.details).toEqual([{ field, reason }]);
        expect(await getCampaign(created.id)).toEqual(before);
      },
    );
  });

  it('records a rendered_too_long test-send for a user whose attribute is too long, without calling Facebook', async () => {
    await t
      .http()
      .put(`/api/pages/${PAGE_ID}/users/777`)
      .set(auth)
      .send({ attributes: { city: 'y'.repeat(1990) } })
      .expect(200);
    const created = (
      await post(`/pages/${PAGE_ID}/campaigns`, restock({ name: 'Long' })).expect(201)
    ).body;
    t.sandbox!.sandbox.reset();
    const { body } = await post(`/campaigns/${created.id}/test-send`, { psid: '777' }).expect(422);
    expect(body.error).toMatchObject({ reason: 'rendered_too_long', class: 'permanent' });
    expect(t.sandbox!.sandbox.requests({ endpoint: 'messages' })).toHaveLength(0);
    await post(`/campaigns/${created.id}/test-send`, { psid: '999999' }).expect(404);
  });

  it('never spends a token on an OTN test-send unless asked', async () => {
    const created = (
      await post(
        `/pages/${PAGE_ID}/campaigns`,
        restock({ name: 'OTN', delivery: { policy: 'otn', topic: 'restock' } }),
      ).expect(201)
    ).body;
    expect(
      (await post(`/campaigns/${created.id}/preview`).expect(200)).body.eligibility,
    ).toMatchObject({ eligible: 0, no_token: 3 });
    const plain = (await post(`/campaigns/${created.id}/test-send`, { psid: OK_PSID }).expect(200))
      .body;
    expect(plain.request.recipient).toEqual({ id: OK_PSID });
    expect(
      (
        await post(`/campaigns/${created.id}/test-send`, { psid: OK_PSID, useToken: true }).expect(
          409,
        )
      ).body.error,
    ).toBe('no_token');
  });
});

describe('the scheduler with two instances on one database', () => {
  it('starts each occurrence exactly once', async () => {
    const clock = new ManualClock();
    const first = await createTestApp({ sandbox: false, clock });
    const second = await createTestApp({
      sandbox: false,
      clock,
      env: { MONGODB_URI: first.config.mongodbUri },
    });
    try {
      await registerPage(first);
      const segment = (
        await first
          .http()
          .post(`/api/pages/${PAGE_ID}/segments`)
          .set(auth)
          .send({ name: 'All', rules: { attribute: 'psid', op: 'exists', value: true } })
          .expect(201)
      ).body;
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const at = new Date(Date.now() + 60_000 + index * 1000).toISOString();
        const created = (
          await first
            .http()
            .post(`/api/pages/${PAGE_ID}/campaigns`)
            .set(auth)
            .send({
              name: `At ${index}`,
              segmentId: segment.id,
              message: { kind: 'text', text: 'Hi' },
              schedule: { type: 'at', at },
            })
            .expect(201)
        ).body;
        await first
          .http()
          .post(`/api/campaigns/${created.id}/publish`)
          .set(auth)
          .send({ force: true })
          .expect(200, { status: 'scheduled', nextRunAt: at });
        ids.push(created.id);
      }
      clock.advance(120_000);
      const started = await Promise.all(
        [first, second, first, second].map((app) => app.app.get(CampaignRunsService).tick()),
      );
      expect(started.reduce((sum, count) => sum + count, 0)).toBe(5);
      for (const id of ids) {
        expect(await first.db.collection('campaign_runs').countDocuments({ campaignId: id })).toBe(
          1,
        );
        expect(
          (await first.http().get(`/api/campaigns/${id}`).set(auth).expect(200)).body.status,
        ).toBe('running');
      }
      expect(await first.app.get(CampaignRunsService).tick()).toBe(0);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

/** The next `weekday` (1 = Monday) at `hour`:00 in `timeZone`, as an instant. */
function nextWeekday(weekday: number, hour: number, timeZone: string): Date {
  const parts = (date: Date) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: 'numeric',
        minute: 'numeric',
        hourCycle: 'h23',
      })
        .formatToParts(date)
        .map((part) => [part.type, part.value]),
    );
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  for (
    let candidate = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    ;
    candidate = new Date(candidate.getTime() + 60_000)
  ) {
    const p = parts(candidate);
    if (days.indexOf(p.weekday) === weekday && Number(p.hour) === hour && Number(p.minute) === 0)
      return candidate;
  }
}
