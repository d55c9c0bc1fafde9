/**
 * Utility templates and the `utility` delivery policy (issue 10, items 1–3)
 * against the sandbox: each template operation on the wire, statuses from the
 * create answer, a re-sync and the signed webhook; a utility campaign test-sent
 * and published only once its template is approved, then sent by the engine
 * outside the window with the rendered parameters.
 */
import { templateStatusWebhook } from '../src/sandbox/webhook-events';
import { MessengerClient } from '../src/messenger/messenger-client.service';
import type { SendMessageBody } from '../src/messenger/payloads';
import type { RecordedRequest } from '../src/sandbox/sandbox.types';
import { TemplatesService } from '../src/templates/templates.service';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';
import { createCampaign, createSegment, ENGINE_ENV } from './harness/campaigns';
import { eventually } from './harness/eventually';
import { postTo } from './harness/webhooks';

const ANA = '6300000000000001';
const BEN = '6300000000000002';
const TEMPLATES = `/api/pages/${PAGE_ID}/templates`;

const orderUpdate = (name = 'order_update', language = 'en_US') => ({
  name,
  language,
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Your order' },
    {
      type: 'BODY',
      text: 'Hi {{1}}, order {{2}} has shipped.',
      example: { body_text: [['Ana', 'A-1001']] },
    },
    {
      type: 'BUTTONS',
      buttons: [{ type: 'URL', text: 'Track', url: 'https://acme.example/track' }],
    },
  ],
});

describe('utility templates', () => {
  let t: TestApp;
  const sandbox = () => t.sandbox!.sandbox;
  const templateCalls = () => sandbox().requests({ endpoint: 'message_templates' });
  const last = (calls: RecordedRequest[]) => calls[calls.length - 1];

  /** Posts a webhook body signed as Facebook does, and waits until it is processed. */
  const deliverWebhook = (payload: object) => postTo(t, payload);

  const statusOf = async (name: string) =>
    (await t.http().get(`${TEMPLATES}/${name}`).set(auth).expect(200)).body as {
      status: string;
      reason?: string;
    };

  beforeAll(async () => {
    t = await createTestApp({
      env: ENGINE_ENV,
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] },
    });
    await registerPage(t);
    // Both wrote days ago: their window is closed, which a utility message does not need.
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at,order_id',
        `${ANA},Ana,${old},A-1`,
        `${BEN},Ben,${old},B-2`,
      ].join('\n'),
    );
  });
  afterAll(() => t.close());
  beforeEach(() => sandbox().setScenario({ outsideWindowPsids: [ANA, BEN] }));

  describe('operations', () => {
    it('submits a template to /{page-id}/message_templates and stores Facebook’s id and status', async () => {
      const created = await t.http().post(TEMPLATES).set(auth).send(orderUpdate()).expect(201);
      const call = last(templateCalls());
      expect(call).toMatchObject({ method: 'POST', path: `/${PAGE_ID}/message_templates` });
      expect(call.body).toEqual(orderUpdate());
      const answer = call.answer as { body: { id: string } };
      expect(created.body).toMatchObject({
        id: answer.body.id,
        name: 'order_update',
        language: 'en_US',
        status: 'APPROVED',
      });
      const listed = await t.http().get(TEMPLATES).set(auth).expect(200);
      expect(listed.body.items).toEqual([created.body]);
      // Facebook's identity is the name and language: the same again is refused here, before any call.
      const calls = templateCalls().length;
      const again = await t.http().post(TEMPLATES).set(auth).send(orderUpdate()).expect(409);
      expect(again.body.error).toBe('template_exists');
      expect(templateCalls()).toHaveLength(calls);
    });

    it('refuses what Facebook refuses before submitting, with field paths', async () => {
      const calls = templateCalls().length;
      const bad = orderUpdate('Order Update');
      bad.components[1] = {
        type: 'BODY',
        text: 'Hi {{1}} {{2}}',
        example: { body_text: [['Ana']] },
      };
      bad.components[2] = {
        type: 'BUTTONS',
        buttons: [{ type: 'QUICK_REPLY', text: 'Yes' } as never],
      };
      const refused = await t.http().post(TEMPLATES).set(auth).send(bad).expect(400);
      expect(refused.body.details.map((d: { field: string }) => d.field)).toEqual([
        'name',
        'components.1.example.body_text',
        'components.2.buttons.0.type',
      ]);
      expect(refused.body.details[2].reason).toContain('2018416');
      expect(templateCalls()).toHaveLength(calls);
    });

    it('the sandbox refuses a quick-reply button as Facebook does (100/2018416)', async () => {
      const quickReply = orderUpdate('qr_direct');
      quickReply.components[2] = {
        type: 'BUTTONS',
        buttons: [{ type: 'QUICK_REPLY', text: 'Yes' } as never],
      };
      const page = { pageId: PAGE_ID, accessToken: PAGE_TOKEN };
      const result = await t.app.get(MessengerClient).createTemplate(page, quickReply);
      expect(result).toMatchObject({ ok: false, failure: { code: 100, subcode: 2018416 } });
    });

    it('follows a scripted review: pending, rejected with a reason (re-sync), then approved (webhook)', async () => {
      sandbox().setScenario({ templateReview: 'PENDING' });
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('appointment')).expect(201);
      expect(await statusOf('appointment')).toMatchObject({ status: 'PENDING' });

      sandbox().setTemplateStatus(PAGE_ID, 'appointment', 'en_US', 'REJECTED', 'INVALID_FORMAT');
      const synced = await t.http().post(`${TEMPLATES}/sync`).set(auth).expect(200);
      expect(last(templateCalls())).toMatchObject({
        method: 'GET',
        path: `/${PAGE_ID}/message_templates`,
      });
      expect(
        synced.body.items.find((i: { name: string }) => i.name === 'appointment'),
      ).toMatchObject({ status: 'REJECTED', reason: 'INVALID_FORMAT' });

      const approved = sandbox().setTemplateStatus(PAGE_ID, 'appointment', 'en_US', 'APPROVED');
      const payload = templateStatusWebhook(PAGE_ID, approved);
      await deliverWebhook(payload);
      expect(await statusOf('appointment')).toEqual(
        expect.objectContaining({ status: 'APPROVED' }),
      );
      expect((await statusOf('appointment')).reason).toBeUndefined();

      // The same event applied again (a body retried after a failure) adds nothing.
      const update = {
        templateId: String(approved.message_template_id),
        status: 'APPROVED',
        reason: 'NONE',
      };
      const observations = () => t.db.collection('utility_template_statuses').countDocuments();
      const count = await observations();
      await t.app.get(TemplatesService).applyStatusUpdate(PAGE_ID, update, 'evt-1', new Date());
      await t.app.get(TemplatesService).applyStatusUpdate(PAGE_ID, update, 'evt-1', new Date());
      expect(await observations()).toBe(count + 1);
      // An event received before the newest status (processed late) never overwrites it.
      await t.app
        .get(TemplatesService)
        .applyStatusUpdate(
          PAGE_ID,
          { ...update, status: 'REJECTED', reason: 'PROMOTIONAL' },
          'evt-0',
          new Date(Date.now() - 3_600_000),
        );
      expect(await statusOf('appointment')).toMatchObject({ status: 'APPROVED' });
    });

    it('sends the status webhook itself when scripted with a URL', async () => {
      sandbox().setScenario({ templateReview: 'PENDING' });
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('reminder')).expect(201);
      await t.app.listen(0, '127.0.0.1');
      const url = `${await t.app.getUrl()}/webhooks/messenger`.replace('[::1]', '127.0.0.1');
      const control = await fetch(`${t.sandbox!.url}/_sandbox/template-status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pageId: PAGE_ID,
          name: 'reminder',
          language: 'en_US',
          status: 'REJECTED',
          reason: 'PROMOTIONAL',
          url,
        }),
      });
      expect(await control.json()).toMatchObject({
        event: { event: 'REJECTED', message_template_name: 'reminder', reason: 'PROMOTIONAL' },
        webhook: { status: 200 },
      });
      await eventually(
        () => statusOf('reminder'),
        (template) => template.status === 'REJECTED',
      );
      expect(await statusOf('reminder')).toMatchObject({ reason: 'PROMOTIONAL' });
    });

    it('keeps one template per language; GET names the language when there are several, and ?sync=true reads Facebook first', async () => {
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('welcome', 'en_US')).expect(201);
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('welcome', 'fr_FR')).expect(201);
      const ambiguous = await t.http().get(`${TEMPLATES}/welcome`).set(auth).expect(400);
      expect(ambiguous.body.details).toEqual([
        { field: 'language', reason: expect.stringContaining('en_US, fr_FR') },
      ]);
      const french = await t
        .http()
        .get(`${TEMPLATES}/welcome?language=fr_FR`)
        .set(auth)
        .expect(200);
      expect(french.body).toMatchObject({ name: 'welcome', language: 'fr_FR', status: 'APPROVED' });
      await t.http().get(`${TEMPLATES}/welcome?language=de_DE`).set(auth).expect(404);

      sandbox().setTemplateStatus(PAGE_ID, 'welcome', 'fr_FR', 'REJECTED', 'INVALID_FORMAT');
      const calls = templateCalls().length;
      const synced = await t.http().get(`${TEMPLATES}?sync=true`).set(auth).expect(200);
      expect(templateCalls()).toHaveLength(calls + 1);
      expect(
        synced.body.items
          .filter((item: { name: string }) => item.name === 'welcome')
          .map((item: { language: string; status: string }) => [item.language, item.status]),
      ).toEqual([
        ['en_US', 'APPROVED'],
        ['fr_FR', 'REJECTED'],
      ]);
    });

    it('deletes a template at Facebook (by name) and here', async () => {
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('to_delete')).expect(201);
      await t.http().delete(`${TEMPLATES}/to_delete`).set(auth).expect(204);
      expect(last(templateCalls())).toMatchObject({
        method: 'DELETE',
        path: `/${PAGE_ID}/message_templates`,
        query: { name: 'to_delete' },
        answer: { status: 200, body: { success: true } },
      });
      await t.http().get(`${TEMPLATES}/to_delete`).set(auth).expect(404);
      await t.http().delete(`${TEMPLATES}/to_delete`).set(auth).expect(404);
    });
  });

  describe('the utility delivery policy', () => {
    const delivery = (
      template: string,
      parameters = ['{{ user.firstName }}', '{{ user.attributes.order_id }}'],
    ) => ({
      policy: 'utility',
      template,
      language: 'en_US',
      parameters,
    });
    const wire = (psid: string, template: string, parameters: string[]) => ({
      recipient: { id: psid },
      messaging_type: 'UTILITY',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'utility_messages',
            name: template,
            language: { code: 'en_US' },
            components: [
              { type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) },
            ],
          },
        },
      },
    });

    it('checks the template and its parameter count at save', async () => {
      const segmentId = await createSegment(t);
      const create = (fields: object) =>
        t
          .http()
          .post(`/api/pages/${PAGE_ID}/campaigns`)
          .set(auth)
          .send({ name: 'U', segmentId, message: {}, ...fields });
      const missing = await create({ delivery: delivery('no_such') }).expect(400);
      expect(missing.body.details).toEqual([
        { field: 'delivery.template', reason: expect.stringContaining('no template no_such') },
      ]);
      const count = await create({ delivery: delivery('order_update', ['x']) }).expect(400);
      expect(count.body.details).toEqual([
        { field: 'delivery.parameters', reason: expect.stringContaining('must be 2') },
      ]);
    });

    it('counts a change of parameters as a new message version, which needs its own test-send', async () => {
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('params_edit')).expect(201);
      const id = await createCampaign(t, await createSegment(t), {
        message: {},
        delivery: delivery('params_edit'),
      });
      const edit = (fields: object) =>
        t.http().patch(`/api/campaigns/${id}`).set(auth).send(fields).expect(200);
      expect((await edit({ name: 'Renamed' })).body.messageVersion).toBe(1);
      const changed = await edit({
        delivery: delivery('params_edit', [
          '{{ user.lastName }}',
          '{{ user.attributes.order_id }}',
        ]),
      });
      expect(changed.body.messageVersion).toBe(2);
    });

    it('is test-sent and published only once approved, then sent outside the window with rendered parameters', async () => {
      sandbox().setScenario({ templateReview: 'PENDING', outsideWindowPsids: [ANA, BEN] });
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('shipping')).expect(201);
      const id = await createCampaign(t, await createSegment(t), {
        message: {},
        delivery: delivery('shipping'),
      });

      const preview = await t
        .http()
        .post(`/api/campaigns/${id}/preview`)
        .set(auth)
        .send({})
        .expect(200);
      expect(preview.body.samples.find((s: { psid: string }) => s.psid === ANA).request).toEqual(
        wire(ANA, 'shipping', ['Ana', 'A-1']),
      );
      expect(preview.body.eligibility).toMatchObject({ eligible: 2, window_closed: 0 });

      // Facebook refuses a template it has not approved; the refusal is the test-send's answer.
      const pending = await t
        .http()
        .post(`/api/campaigns/${id}/test-send`)
        .set(auth)
        .send({ psid: ANA })
        .expect(422);
      expect(pending.body.error).toMatchObject({ code: 100 });
      const refusedPublish = await t
        .http()
        .post(`/api/campaigns/${id}/publish`)
        .set(auth)
        .send({ force: true })
        .expect(409);
      expect(refusedPublish.body).toMatchObject({
        error: 'template_not_approved',
        templateStatus: 'PENDING',
      });

      sandbox().setTemplateStatus(PAGE_ID, 'shipping', 'en_US', 'APPROVED');
      await t.http().post(`${TEMPLATES}/sync`).set(auth).expect(200);
      const tested = await t
        .http()
        .post(`/api/campaigns/${id}/test-send`)
        .set(auth)
        .send({ psid: ANA })
        .expect(200);
      expect(tested.body.request).toEqual(wire(ANA, 'shipping', ['Ana', 'A-1']));

      const before = sandbox().requests({ endpoint: 'messages' }).length;
      await t.http().post(`/api/campaigns/${id}/publish`).set(auth).send({}).expect(200);
      await eventually(
        async () => (await t.http().get(`/api/campaigns/${id}`).set(auth)).body,
        (campaign) => campaign.status === 'completed',
      );
      const sent = sandbox().requests({ endpoint: 'messages' }).slice(before);
      expect(sent.map((request) => request.body)).toEqual(
        expect.arrayContaining([
          wire(ANA, 'shipping', ['Ana', 'A-1']),
          wire(BEN, 'shipping', ['Ben', 'B-2']),
        ]),
      );
      expect(sent).toHaveLength(2);
      expect(
        sent.every(
          (request) => request.answer !== 'connection_reset' && request.answer.status === 200,
        ),
      ).toBe(true);
      const stats = await t.http().get(`/api/campaigns/${id}/stats`).set(auth).expect(200);
      expect(stats.body).toMatchObject({ sent: 2, skipped: 0, failed: 0 });
    });

    it('is not published when its template was recreated with another number of parameters', async () => {
      await t.http().post(TEMPLATES).set(auth).send(orderUpdate('invoice')).expect(201);
      const id = await createCampaign(t, await createSegment(t), {
        message: {},
        delivery: delivery('invoice'),
      });
      // Approved templates cannot be edited: deleted and created again, now with one parameter.
      await t.http().delete(`${TEMPLATES}/invoice`).set(auth).expect(204);
      const recreated = orderUpdate('invoice');
      recreated.components[1] = {
        type: 'BODY',
        text: 'Invoice {{1}} is ready.',
        example: { body_text: [['I-1']] },
      };
      await t.http().post(TEMPLATES).set(auth).send(recreated).expect(201);
      const refused = await t
        .http()
        .post(`/api/campaigns/${id}/publish`)
        .set(auth)
        .send({ force: true })
        .expect(409);
      expect(refused.body).toMatchObject({ error: 'template_changed' });
    });

    it('is refused by Facebook for an unknown template, a wrong parameter count or an empty parameter', async () => {
      const send = (body: object) =>
        t.app
          .get(MessengerClient)
          .sendMessage({ pageId: PAGE_ID, accessToken: PAGE_TOKEN }, body as SendMessageBody);
      expect(await send(wire(ANA, 'never_created', ['a']))).toMatchObject({
        ok: false,
        failure: { code: 100, message: expect.stringContaining('does not exist') },
      });
      expect(await send(wire(ANA, 'order_update', ['only one']))).toMatchObject({
        ok: false,
        failure: { code: 100, message: expect.stringContaining('takes 2 body parameters') },
      });
      // A user without the attribute renders an empty parameter: Facebook refuses that user's send.
      expect(await send(wire(ANA, 'order_update', ['Ana', '']))).toMatchObject({
        ok: false,
        failure: { code: 100, message: expect.stringContaining('[parameters][1]') },
      });
    });
  });
});
