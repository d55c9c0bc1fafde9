/**
 * Templates are hostile input (SPEC §10), proved through the HTTP API and the real
 * database: no tag reads a file, at save or at render; no prototype is reachable;
 * one time budget and one size cap per message keep a hostile preview short, and
 * the event loop keeps answering `/health` while it runs. The message rules that
 * protect the database (raw keys, nesting, unknown fields) are proved here too.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Types } from 'mongoose';
import { auth, createTestApp, type TestApp } from './harness/app';
import { importCsv, PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';

const PSIDS = Array.from({ length: 6 }, (_, index) => `765432109876543${index}`);
/** liquidjs never checks its time limit inside an empty loop body. */
const EMPTY_LOOP = '{% for j in (1..999999) %}{% endfor %}';
/** A million empty iterations over a range small enough for any size cap. */
const NESTED_LOOPS =
  '{% assign r = (1..100) %}{% for a in r %}{% for b in r %}{% for c in r %}{% endfor %}{% endfor %}{% endfor %}';
/** Eight nested captures of ten copies each: 10^8 characters if nothing stops it. */
const CAPTURE_BOMB =
  '{% capture c0 %}xxxxxxxxxx{% endcapture %}' +
  Array.from(
    { length: 8 },
    (_, level) => `{% capture c${level + 1} %}${`{{ c${level} }}`.repeat(10)}{% endcapture %}`,
  ).join('') +
  '{{ c8 | size }}';

/** A `/health` call: when it was sent and answered, on the clock both threads share. */
interface HealthCall {
  status: number;
  sentAt: number;
  answeredAt: number;
}

/**
 * Calls `/health` back to back from another thread, as an outside monitor would:
 * a client on the server's own thread would wait behind the renders too.
 */
function monitorHealth(url: string): { stop: () => Promise<HealthCall[]> } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const http = require('node:http');
    const now = () => performance.timeOrigin + performance.now();
    const call = () =>
      new Promise((resolve, reject) => {
        const sentAt = now();
        http
          .get(workerData.url, (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode, sentAt, answeredAt: now() }));
          })
          .on('error', reject);
      });
    let stopped = false;
    parentPort.once('message', () => (stopped = true));
    (async () => {
      const calls = [];
      while (!stopped) calls.push(await call());
      parentPort.postMessage(calls);
    })();
    `,
    { eval: true, workerData: { url } },
  );
  return {
    stop: async () => {
      const calls = new Promise<HealthCall[]>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const answered = await calls;
      await worker.terminate();
      return answered;
    },
  };
}

const now = () => performance.timeOrigin + performance.now();

describe('template safety', () => {
  let t: TestApp;
  let segmentId: string;
  const post = (path: string, body: object = {}) =>
    t.http().post(`/api${path}`).set(auth).send(body);
  const campaign = (message: object) => ({
    name: 'Probe',
    segmentId,
    message,
    delivery: { policy: 'window' },
  });
  const create = async (message: object) =>
    (await post(`/pages/${PAGE_ID}/campaigns`, campaign(message)).expect(201)).body.id as string;
  /** Stores `message` as is, as a campaign saved before these rules would hold it. */
  const storeUnchecked = async (message: object) => {
    const id = await create({ kind: 'text', text: 'placeholder' });
    await t.db
      .collection('campaigns')
      .updateOne({ _id: Types.ObjectId.createFromHexString(id) }, { $set: { message } });
    return id;
  };
  const generic = (template: string) => ({
    kind: 'generic',
    elements: Array.from({ length: 10 }, () => ({
      title: template,
      subtitle: template,
      buttons: [
        { title: template, value: 'A' },
        { title: template, value: 'B' },
      ],
    })),
  });

  beforeAll(async () => {
    t = await createTestApp({ sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }] } });
    // Listening, so concurrent requests share one server.
    await t.app.listen(0, '127.0.0.1');
    await registerPage(t);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    await importCsv(
      t,
      [
        'psid,first_name,last_inbound_at,city,file',
        ...PSIDS.map((psid) => `${psid},Ana,${recent},Lyon,/proc/self/environ`),
      ].join('\n'),
    );
    segmentId = (
      await post(`/pages/${PAGE_ID}/segments`, {
        name: 'Lyon',
        rules: { attribute: 'city', op: 'eq', value: 'Lyon' },
      }).expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  describe('no tag reads a file', () => {
    it.each([
      ['include', { kind: 'text', text: "{% include '/proc/self/environ' %}" }, 'message.text'],
      ['render', { kind: 'text', text: "Hi {% render '/etc/passwd' %}" }, 'message.text'],
      ['layout', { kind: 'text', text: "{% layout '/etc/hostname' %}Hi" }, 'message.text'],
      [
        'include',
        { kind: 'text', text: "{% liquid\ninclude '/proc/self/environ'\n%}" },
        'message.text',
      ],
      [
        'include',
        { kind: 'text', text: "{% assign f = '/proc/self/' | append: 'environ' %}{% include f %}" },
        'message.text',
      ],
      ['render', { kind: 'text', text: '{% render user.attributes.file %}' }, 'message.text'],
      [
        'include',
        { kind: 'text', text: '{%- include {{ user.attributes.file }} -%}' },
        'message.text',
      ],
      [
        'render',
        { kind: 'buttons', text: 'Pick', buttons: [{ title: "{% render 'x' %}", value: 'P' }] },
        'message.attachment.payload.buttons[0].title',
      ],
      [
        'layout',
        { kind: 'raw', payload: { text: 'Hi', metadata: "{% layout 'default' %}" } },
        'message.metadata',
      ],
    ])('refuses the %s tag at save, naming the field (%j)', async (tag, message, field) => {
      const { body } = await post(`/pages/${PAGE_ID}/campaigns`, campaign(message)).expect(400);
      expect(body.details).toEqual(
        expect.arrayContaining([
          { field, reason: `Liquid: the ${tag} tag is not allowed (templates cannot read files)` },
        ]),
      );
    });

    it('refuses a file-reading tag in an edit too', async () => {
      const id = await create({ kind: 'text', text: 'Hi' });
      const { body } = await t
        .http()
        .patch(`/api/campaigns/${id}`)
        .set(auth)
        .send({ message: { kind: 'text', text: "{% include '/proc/self/environ' %}" } })
        .expect(400);
      expect(body.details).toEqual([
        {
          field: 'message.text',
          reason: 'Liquid: the include tag is not allowed (templates cannot read files)',
        },
      ]);
    });

    it('cannot leak a file at render either, even from a message stored before the rule', async () => {
      const id = await storeUnchecked({
        kind: 'raw',
        payload: { text: 'Hi', metadata: "{% include '/proc/self/environ' %}" },
      });
      const preview = await post(`/campaigns/${id}/preview`, { psids: [PSIDS[0]] }).expect(200);
      expect(preview.body.samples).toEqual([
        expect.objectContaining({ psid: PSIDS[0], ok: false, reason: 'render_failed' }),
      ]);
      expect(preview.text).not.toMatch(/PATH=|HOME=/);
      t.sandbox!.sandbox.reset();
      const sent = await post(`/campaigns/${id}/test-send`, { psid: PSIDS[0] }).expect(422);
      expect(sent.text).not.toMatch(/PATH=|HOME=/);
      expect(t.sandbox!.sandbox.requests({ endpoint: 'messages' })).toHaveLength(0);
    });
  });

  describe('no prototype is reachable', () => {
    it('renders property tricks as nothing', async () => {
      const id = await create({
        kind: 'text',
        text:
          'x{{ user.constructor }}{{ user.attributes.__proto__ }}{{ user["__proto__"] }}' +
          '{{ user.attributes.city.constructor }}{{ campaign.name.toString }}' +
          '{% for i in (1..1) %}{{ forloop.constructor }}{{ forloop.__proto__ }}{{ forloop.valueOf }}{% endfor %}' +
          '{{ empty.constructor }}',
      });
      const { body } = await post(`/campaigns/${id}/preview`, { psids: [PSIDS[0]] }).expect(200);
      expect(body.samples[0]).toMatchObject({ ok: true, request: { message: { text: 'x' } } });
    });

    it.each([
      ['{{ "x" | constructor }}', 'undefined filter: constructor'],
      ['{{ "x" | __proto__ }}', 'undefined filter: __proto__'],
      ['{{ "x" | hasOwnProperty }}', 'undefined filter: hasOwnProperty'],
      ['{% constructor %}', 'tag "constructor" not found'],
    ])('refuses %s at save', async (text, reason) => {
      const { body } = await post(
        `/pages/${PAGE_ID}/campaigns`,
        campaign({ kind: 'text', text }),
      ).expect(400);
      expect(body.details).toEqual([
        { field: 'message.text', reason: expect.stringContaining(reason) },
      ]);
    });
  });

  describe('one time budget and one size cap per message', () => {
    it.each([
      ['40 strings of empty loops', generic(EMPTY_LOOP), 'rendered_too_long'],
      ['40 strings of nested loops', generic(NESTED_LOOPS), 'render_timeout'],
      ['a nested capture bomb', { kind: 'text', text: CAPTURE_BOMB }, 'rendered_too_long'],
    ])(
      'marks every sample failed for %s, while /health keeps answering',
      async (_name, message, reason) => {
        const id = await create(message);
        const { port } = t.app.getHttpServer().address() as AddressInfo;
        const monitor = monitorHealth(`http://127.0.0.1:${port}/health`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const started = now();
        const { status, body } = await post(`/campaigns/${id}/preview`, { psids: PSIDS });
        const finished = now();
        const calls = await monitor.stop();

        expect(status).toBe(200);
        expect(body.samples).toHaveLength(PSIDS.length);
        for (const sample of body.samples) expect(sample).toMatchObject({ ok: false, reason });
        // Six users at 50 ms each, with the database round trips around them.
        expect(finished - started).toBeLessThan(3000);
        const during = calls.filter((call) => call.answeredAt > started && call.sentAt < finished);
        expect(during.length).toBeGreaterThan(0);
        for (const call of calls) {
          expect(call.status).toBe(200);
          expect(call.answeredAt - call.sentAt).toBeLessThan(200);
        }
      },
    );
  });

  describe('message rules protect the database', () => {
    const nested = (depth: number): object =>
      Array.from({ length: depth }).reduce<object>((inner) => ({ a: inner }), { text: 'deep' });

    it.each([
      [
        'a $-prefixed key',
        { kind: 'raw', payload: { text: 'Hi', metadata: { $where: '1' } } },
        'message.payload.metadata.$where',
      ],
      [
        'a dotted key',
        { kind: 'raw', payload: { text: 'Hi', quick_replies: [{ 'a.b': 1 }] } },
        'message.payload.quick_replies[0].a.b',
      ],
      ['JSON nested 25 deep', { kind: 'raw', payload: nested(25) }, 'message.payload'],
      [
        'a raw payload over a Send API limit',
        { kind: 'raw', payload: { text: 'x'.repeat(2001) } },
        'message.payload.text',
      ],
      [
        'an unknown field',
        { kind: 'text', text: 'Hi', quickReplies: [{ title: 'A', payload: 'A', color: 'red' }] },
        'message.quickReplies[0].color',
      ],
    ])('answers 400 for %s, naming the path', async (_name, message, field) => {
      const { body } = await post(`/pages/${PAGE_ID}/campaigns`, campaign(message)).expect(400);
      expect(body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });
});
