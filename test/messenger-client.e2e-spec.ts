/**
 * The Graph client against the sandbox: the exact URL, headers and wire body of
 * every call, and each class of failure as it arrives over a real socket.
 */
import { MessengerClient, type PageCredentials } from '../src/messenger/messenger-client.service';
import {
  appsecretProof,
  PAGE_INBOX_APP_ID,
  sendMessageBody,
  textMessage,
  type SendMessageBody,
} from '../src/messenger/payloads';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { hubSignature } from '../src/common/hub-signature';
import { startSandbox } from '../src/sandbox/sandbox.server';
import {
  deliveryEvent,
  inboundMessageEvent,
  pageWebhook,
  readEvent,
} from '../src/sandbox/webhook-events';
import { APP_ID, APP_SECRET, createTestApp, type TestApp } from './harness/app';

const page: PageCredentials = {
  pageId: '104857600000001',
  accessToken: 'EAABclientTestToken'.padEnd(60, 'C'),
  appSecret: 'feedfacefeedfacefeedfacefeedface',
};
const PSID = '6543210987654321';
const text = (psid = PSID, message = 'Hi') =>
  sendMessageBody({
    recipient: { id: psid },
    messagingType: 'UPDATE',
    message: textMessage(message),
  });

describe('MessengerClient against the sandbox', () => {
  let t: TestApp;
  let client: MessengerClient;
  beforeAll(async () => {
    t = await createTestApp({ sandbox: { pages: [page] }, env: { GRAPH_TIMEOUT_MS: '300' } });
    client = t.app.get(MessengerClient);
  });
  afterAll(() => t.close());
  beforeEach(() => t.sandbox!.sandbox.reset());
  const requests = (endpoint?: string) => t.sandbox!.sandbox.requests({ endpoint });

  it('sends a message: version in the path, token in the header only, proof in the query, exact body', async () => {
    const body = sendMessageBody({
      recipient: { id: PSID },
      messagingType: 'UPDATE',
      message: textMessage('Hello', [{ content_type: 'text', title: 'Yes', payload: 'YES' }]),
    });
    const result = await client.sendMessage(page, body);
    expect(result).toEqual({
      ok: true,
      value: { recipientId: PSID, messageId: expect.stringMatching(/^m_/) },
    });
    const [sent] = requests('messages');
    expect(sent).toMatchObject({
      method: 'POST',
      version: 'v25.0',
      path: '/me/messages',
      authorization: `Bearer ${page.accessToken}`,
    });
    expect(sent.query).toEqual({
      appsecret_proof: appsecretProof(page.accessToken, page.appSecret!),
    });
    expect(sent.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'UPDATE',
      message: {
        text: 'Hello',
        quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'YES' }],
      },
    });
  });

  it('sends a tag only with MESSAGE_TAG', () => {
    expect(
      sendMessageBody({
        recipient: { id: PSID },
        messagingType: 'UPDATE',
        message: { text: 'a' },
        tag: 'HUMAN_AGENT',
      }),
    ).not.toHaveProperty('tag');
    expect(
      sendMessageBody({
        recipient: { id: PSID },
        messagingType: 'MESSAGE_TAG',
        message: { text: 'a' },
        tag: 'HUMAN_AGENT',
      }),
    ).toMatchObject({ tag: 'HUMAN_AGENT' });
  });

  it('reuses one kept-alive socket for successive calls', async () => {
    for (let i = 0; i < 5; i += 1) expect((await client.sendMessage(page, text())).ok).toBe(true);
    const ports = new Set(requests('messages').map((request) => request.clientPort));
    expect(ports.size).toBe(1);
  });

  it('uploads an attachment by URL and reads the attachment id', async () => {
    const result = await client.uploadAttachment(page, 'image', 'https://example.com/cat.png');
    expect(result).toEqual({
      ok: true,
      value: { attachmentId: expect.stringMatching(/^\d{16}$/) },
    });
    expect(requests('message_attachments')[0].body).toEqual({
      message: {
        attachment: {
          type: 'image',
          payload: { url: 'https://example.com/cat.png', is_reusable: true },
        },
      },
    });
  });

  it('passes, takes, requests and reads thread control', async () => {
    expect(await client.getThreadOwner(page, PSID)).toEqual({ ok: true, value: { appId: APP_ID } });
    expect(await client.passThreadControl(page, PSID, PAGE_INBOX_APP_ID, 'to inbox')).toEqual({
      ok: true,
      value: { success: true },
    });
    expect(await client.getThreadOwner(page, PSID)).toEqual({
      ok: true,
      value: { appId: PAGE_INBOX_APP_ID },
    });
    expect(await client.requestThreadControl(page, PSID, 'please')).toEqual({
      ok: true,
      value: { success: true },
    });
    expect(await client.takeThreadControl(page, PSID)).toEqual({
      ok: true,
      value: { success: true },
    });
    expect(await client.getThreadOwner(page, PSID)).toEqual({ ok: true, value: { appId: APP_ID } });
    expect(requests('pass_thread_control')[0].body).toEqual({
      recipient: { id: PSID },
      target_app_id: PAGE_INBOX_APP_ID,
      metadata: 'to inbox',
    });
    expect(requests('take_thread_control')[0].body).toEqual({ recipient: { id: PSID } });
    const [ownerQuery] = requests('thread_owner');
    expect(ownerQuery.method).toBe('GET');
    expect(ownerQuery.query).toEqual({
      recipient: PSID,
      appsecret_proof: appsecretProof(page.accessToken, page.appSecret!),
    });
  });

  it('sends with a one-time-notification token once; a second use is refused', async () => {
    const token = t.sandbox!.sandbox.issueNotificationToken(PSID);
    const body = sendMessageBody({
      recipient: { one_time_notif_token: token },
      messagingType: 'UPDATE',
      message: textMessage('Back in stock'),
    });
    expect(await client.sendMessage(page, body)).toEqual({
      ok: true,
      value: { recipientId: PSID, messageId: expect.stringMatching(/^m_/) },
    });
    expect(await client.sendMessage(page, body)).toMatchObject({
      ok: false,
      failure: { code: 100, class: 'permanent' },
    });
  });

  describe("Facebook's usage headers", () => {
    it('reports the highest share on a success, shaped as Facebook sends the headers', async () => {
      t.sandbox!.sandbox.setScenario({ usage: { page: 42, app: 85, businessUseCase: 12 } });
      expect(await client.sendMessage(page, text())).toEqual({
        ok: true,
        value: { recipientId: PSID, messageId: expect.stringMatching(/^m_/) },
        usage: 85,
      });
      const [sent] = requests('messages');
      const headers = sent.answer === 'connection_reset' ? {} : sent.answer.headers;
      expect(headers).toEqual({
        'X-Page-Usage': JSON.stringify({ call_count: 42, total_cputime: 42, total_time: 42 }),
        'X-App-Usage': JSON.stringify({ call_count: 85, total_cputime: 85, total_time: 85 }),
        'X-Business-Use-Case-Usage': JSON.stringify({
          [page.pageId]: [
            {
              type: 'messenger',
              call_count: 12,
              total_cputime: 12,
              total_time: 12,
              estimated_time_to_regain_access: 0,
            },
          ],
        }),
      });
    });

    it('reports usage on a Graph error too', async () => {
      t.sandbox!.sandbox.setScenario({
        usage: { businessUseCase: 93 },
        errorsByPsid: { [PSID]: { code: 551, subcode: 1545041 } },
      });
      expect(await client.sendMessage(page, text())).toMatchObject({
        ok: false,
        failure: { code: 551 },
        usage: 93,
      });
    });

    it('reports none when Facebook sends none', async () => {
      expect(await client.sendMessage(page, text())).not.toHaveProperty('usage');
    });
  });

  describe('failures, classified', () => {
    it('551/1545041: permanent, suppress the user', async () => {
      t.sandbox!.sandbox.setScenario({ errorsByPsid: { [PSID]: { code: 551, subcode: 1545041 } } });
      const result = await client.sendMessage(page, text());
      expect(result).toMatchObject({
        ok: false,
        failure: {
          kind: 'graph',
          class: 'permanent',
          effect: 'suppress_user',
          code: 551,
          subcode: 1545041,
          reason: 'graph_551_1545041',
          fbtraceId: expect.any(String),
        },
      });
    });

    it('10/2018278 outside the window: permanent, window_closed', async () => {
      t.sandbox!.sandbox.setScenario({ outsideWindowPsids: [PSID] });
      expect(await client.sendMessage(page, text())).toMatchObject({
        ok: false,
        failure: { class: 'permanent', reason: 'window_closed', code: 10, subcode: 2018278 },
      });
    });

    it('613 throttling burst: retryable and throttled, quota shown used up, then success', async () => {
      t.sandbox!.sandbox.setScenario({ throttleNext: 1 });
      expect(await client.sendMessage(page, text())).toMatchObject({
        ok: false,
        failure: {
          class: 'retryable',
          effect: 'throttled',
          code: 613,
          type: 'OAuthException',
          httpStatus: 400,
          message: '(#613) Calls to this api have exceeded the rate limit.',
        },
        usage: 100,
      });
      const recovered = await client.sendMessage(page, text());
      expect(recovered.ok).toBe(true);
      expect(recovered).not.toHaveProperty('usage');
    });

    it.each([
      [1, 1357046, 'ambiguous', 'none', 'graph_1_1357046'],
      [1, 99, 'page_fatal', 'pause_page', 'graph_1_99'],
      [102, undefined, 'page_fatal', 'pause_page', 'graph_102'],
      [3, undefined, 'page_fatal', 'pause_page', 'graph_3'],
      [10, 2018028, 'page_fatal', 'pause_page', 'graph_10_2018028'],
      [100, 1893061, 'permanent', 'invalid_parameter', 'retired_tag'],
    ])('%p/%p from the sandbox: %s, %s (%s)', async (code, subcode, cls, effect, reason) => {
      t.sandbox!.sandbox.setScenario({ errorsByPsid: { [PSID]: { code, subcode } } });
      expect(await client.sendMessage(page, text())).toMatchObject({
        ok: false,
        failure: { kind: 'graph', class: cls, effect, reason, code, subcode },
      });
    });

    it('HTTP 500 with code 2: retryable', async () => {
      t.sandbox!.sandbox.setScenario({ serverErrorRatio: 1 });
      expect(await client.sendMessage(page, text())).toMatchObject({
        ok: false,
        failure: { class: 'retryable', code: 2, httpStatus: 500 },
      });
    });

    it('a retired tag: 100, permanent invalid parameter', async () => {
      const body = sendMessageBody({
        recipient: { id: PSID },
        messagingType: 'MESSAGE_TAG',
        tag: 'ACCOUNT_UPDATE',
        message: { text: 'a' },
      });
      expect(await client.sendMessage(page, body)).toMatchObject({
        ok: false,
        failure: { class: 'permanent', effect: 'invalid_parameter', code: 100 },
      });
    });

    it('text over 2000 characters: 100 from Facebook', async () => {
      expect(await client.sendMessage(page, text(PSID, 'x'.repeat(2001)))).toMatchObject({
        ok: false,
        failure: { code: 100, message: expect.stringContaining('2000') },
      });
    });

    it('an unknown token: 190, fatal for the Page', async () => {
      const result = await client.sendMessage(
        { ...page, accessToken: 'EAABnotKnown'.padEnd(40, 'N') },
        text(),
      );
      expect(result).toMatchObject({
        ok: false,
        failure: { class: 'page_fatal', effect: 'pause_page', code: 190 },
      });
    });

    it('a wrong appsecret_proof: 100', async () => {
      const result = await client.sendMessage(
        { ...page, appSecret: '00000000000000000000000000000000' },
        text(),
      );
      expect(result).toMatchObject({
        ok: false,
        failure: { code: 100, message: expect.stringContaining('appsecret_proof') },
      });
    });

    it.each([
      ['missing', undefined, 'API calls from the server require an appsecret_proof argument'],
      [
        'wrong',
        '00000000000000000000000000000000',
        'Invalid appsecret_proof provided in the API argument',
      ],
    ])(
      'a %s appsecret_proof: a GraphMethodException, worded without (#100)',
      async (_name, appSecret, message) => {
        const result = await client.sendMessage({ ...page, appSecret }, text());
        expect(result).toMatchObject({
          ok: false,
          failure: {
            code: 100,
            type: 'GraphMethodException',
            message,
            httpStatus: 400,
            class: 'permanent',
          },
        });
      },
    );

    const raw = (message: unknown, extra: object = {}) => ({
      recipient: { id: PSID },
      messaging_type: 'UPDATE',
      message,
      ...extra,
    });
    const buttons = (...list: object[]) => ({
      attachment: {
        type: 'template',
        payload: { template_type: 'button', text: 'Pick', buttons: list },
      },
    });
    it.each([
      [
        'a postback button without payload',
        raw(buttons({ type: 'postback', title: 'Yes' })),
        { code: 100, subcode: 2018040, effect: 'invalid_parameter', reason: 'graph_100_2018040' },
      ],
      [
        'a URL button without url',
        raw(buttons({ type: 'web_url', title: 'Go' })),
        { code: 100, subcode: 2018041, effect: 'invalid_parameter', reason: 'graph_100_2018041' },
      ],
      [
        'unknown keys in message',
        raw({ text: 'Hi', reply_to: { mid: 'm_1' } }),
        {
          code: 100,
          effect: 'invalid_parameter',
          message: '(#100) Invalid keys "reply_to" were found in param "message".',
        },
      ],
      [
        'empty quick replies',
        raw({ text: 'Hi', quick_replies: [] }),
        {
          code: 194,
          effect: 'none',
          reason: 'graph_194',
          message: '(#194) param message[quick_replies] has too few elements.',
        },
      ],
      [
        'a sender action with a message',
        raw({ text: 'Hi' }, { sender_action: 'typing_on' }),
        { code: 100, subcode: 2018014, effect: 'invalid_parameter' },
      ],
      [
        'a retired tag',
        raw({ text: 'Hi' }, { messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' }),
        { code: 100, subcode: 1893061, effect: 'invalid_parameter', reason: 'retired_tag' },
      ],
    ])('%s: refused by Facebook, permanent for this message', async (_name, body, failure) => {
      const result = await client.sendMessage(page, body as unknown as SendMessageBody);
      expect(result).toMatchObject({
        ok: false,
        failure: { kind: 'graph', class: 'permanent', httpStatus: 400, ...failure },
      });
    });

    it('a reset after the request was read: ambiguous, never a silent retry', async () => {
      t.sandbox!.sandbox.setScenario({ resetPsids: [PSID] });
      const result = await client.sendMessage(page, text());
      expect(result).toMatchObject({
        ok: false,
        failure: { kind: 'transport', class: 'ambiguous', reason: 'reset_after_write' },
      });
      expect(requests('messages')).toHaveLength(1);
    });

    it('no answer within GRAPH_TIMEOUT_MS after the request was sent: ambiguous', async () => {
      t.sandbox!.sandbox.setScenario({ latencyMs: 1000 });
      const result = await client.sendMessage(page, text());
      expect(result).toMatchObject({
        ok: false,
        failure: { kind: 'transport', class: 'ambiguous', reason: 'timeout_after_write' },
      });
    });
  });
});

describe('MessengerClient with nothing listening', () => {
  it('classifies a refused connection as retryable: nothing reached Facebook', async () => {
    const t = await createTestApp({ sandbox: false });
    try {
      const result = await t.app.get(MessengerClient).sendMessage(page, text());
      expect(result).toMatchObject({
        ok: false,
        failure: { kind: 'transport', class: 'retryable', reason: 'connection_refused' },
      });
    } finally {
      await t.close();
    }
  });
});

/** A server on loopback answering every request with `handle`; closed by the returned function. */
async function listen(
  handle: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MessengerClient against a misbehaving Graph API', () => {
  it('an answer larger than any Graph body is not read whole: ambiguous, the call was written', async () => {
    const graph = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"recipient_id":"${PSID}","padding":"${'x'.repeat(2 * 1024 * 1024)}"}`);
      });
    });
    const t = await createTestApp({ sandbox: false, env: { GRAPH_API_URL: graph.url } });
    try {
      const result = await t.app.get(MessengerClient).sendMessage(page, text());
      expect(result).toMatchObject({
        ok: false,
        failure: { kind: 'transport', class: 'ambiguous', reason: 'reset_after_write' },
      });
    } finally {
      await t.close();
      await graph.close();
    }
  });
});

describe('MessengerClient through the proxy the environment names', () => {
  const saved = {
    HTTP_PROXY: process.env.HTTP_PROXY,
    HTTPS_PROXY: process.env.HTTPS_PROXY,
    NO_PROXY: process.env.NO_PROXY,
  };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  it('gives up on a proxy that never answers its CONNECT within GRAPH_TIMEOUT_MS: retryable, nothing was sent', async () => {
    const held: Socket[] = [];
    const silent = createNetServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    delete process.env.NO_PROXY;
    const t = await createTestApp({
      sandbox: false,
      env: { GRAPH_API_URL: 'https://graph.facebook.com', GRAPH_TIMEOUT_MS: '300' },
    });
    try {
      expect(await t.app.get(MessengerClient).sendMessage(page, text())).toMatchObject({
        ok: false,
        failure: { kind: 'transport', class: 'retryable', reason: 'timeout_before_write' },
      });
    } finally {
      delete process.env.HTTPS_PROXY;
      await t.close();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('sends every call through HTTP_PROXY, and straight to a host NO_PROXY names', async () => {
    const seen: { url?: string; authorization?: string }[] = [];
    const t = await createTestApp({ sandbox: { pages: [page] } });
    // A forward proxy: it gets the absolute URL and passes the call on.
    const proxy = await listen((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      const target = new URL(req.url!);
      const forwarded = request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forwarded);
    });
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    const through = await createTestApp({
      sandbox: false,
      env: { GRAPH_API_URL: t.sandbox!.url },
    });
    process.env.NO_PROXY = '127.0.0.1';
    const direct = await createTestApp({ sandbox: false, env: { GRAPH_API_URL: t.sandbox!.url } });
    try {
      expect(await through.app.get(MessengerClient).sendMessage(page, text())).toMatchObject({
        ok: true,
      });
      expect(seen).toEqual([
        {
          url: expect.stringMatching(
            new RegExp(`^${t.sandbox!.url}/v25\\.0/me/messages\\?appsecret_proof=`),
          ),
          authorization: `Bearer ${page.accessToken}`,
        },
      ]);
      expect(await direct.app.get(MessengerClient).sendMessage(page, text())).toMatchObject({
        ok: true,
      });
      expect(seen).toHaveLength(1);
      expect(t.sandbox!.sandbox.requests({ endpoint: 'messages' })).toHaveLength(2);
    } finally {
      await direct.close();
      await through.close();
      await proxy.close();
      await t.close();
    }
  });
});

describe('the sandbox Graph route', () => {
  it('refuses a body over 10 MB with a permanent 413 without reading it, and answers bad JSON as a missing body', async () => {
    // No app secret: the malformed body is judged on its own, not on a missing proof.
    const sandbox = await startSandbox({
      pages: [{ pageId: page.pageId, accessToken: page.accessToken }],
    });
    try {
      const post = (body: string) =>
        fetch(`${sandbox.url}/v25.0/me/messages`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${page.accessToken}`,
            'content-type': 'application/json',
          },
          body,
        });
      const tooLarge = await post(JSON.stringify({ padding: 'x'.repeat(11 * 1024 * 1024) }));
      expect(tooLarge.status).toBe(413);
      expect(((await tooLarge.json()) as { error: { code: number } }).error.code).toBe(100);
      const malformed = await post('{"recipient": ');
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(100);
      expect(sandbox.sandbox.requests({ endpoint: 'messages' })).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });
});

describe('the sandbox scripting routes', () => {
  it('validate their input and answer in the error shape', async () => {
    const sandbox = await startSandbox();
    try {
      const put = (body: unknown) =>
        fetch(`${sandbox.url}/_sandbox/scenario`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(
        (await put({ serverErrorRatio: 0.5, outsideWindowPsids: ['1'], usage: { page: 81 } }))
          .status,
      ).toBe(204);
      const refused = await put({
        serverErrorRatio: 2,
        resetPsids: ['abc'],
        surprise: true,
        usage: { app: -1, other: 5 },
      });
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as { details: { field: string }[] };
      expect(body.details.map((detail) => detail.field).sort()).toEqual([
        'resetPsids',
        'serverErrorRatio',
        'surprise',
        'usage.app',
        'usage.other',
      ]);
    } finally {
      await sandbox.close();
    }
  });
});

describe('webhooks sent by the sandbox', () => {
  it('are signed with X-Hub-Signature-256 over the exact body, shaped as Facebook sends them', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.end('EVENT_RECEIVED');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sandbox = await startSandbox({ appSecret: APP_SECRET });
    try {
      const { port } = server.address() as AddressInfo;
      const payload = pageWebhook(page.pageId, [
        deliveryEvent(page.pageId, PSID, 1795440000000, ['m_abc']),
        readEvent(page.pageId, PSID, 1795440001000),
        inboundMessageEvent(page.pageId, PSID, 'Hello', 1795440002000),
      ]);
      const answer = await sandbox.sandbox.sendWebhook(
        `http://127.0.0.1:${port}/webhooks/messenger`,
        payload,
      );
      expect(answer).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      const [delivery] = received;
      expect(delivery.headers['x-hub-signature-256']).toBe(hubSignature(delivery.body, APP_SECRET));
      expect(JSON.parse(delivery.body)).toEqual({
        object: 'page',
        entry: [
          {
            id: page.pageId,
            time: expect.any(Number),
            messaging: [
              {
                sender: { id: PSID },
                recipient: { id: page.pageId },
                timestamp: 1795440000000,
                delivery: { mids: ['m_abc'], watermark: 1795440000000 },
              },
              {
                sender: { id: PSID },
                recipient: { id: page.pageId },
                timestamp: 1795440001000,
                read: { watermark: 1795440001000 },
              },
              {
                sender: { id: PSID },
                recipient: { id: page.pageId },
                timestamp: 1795440002000,
                message: { mid: expect.any(String), text: 'Hello' },
              },
            ],
          },
        ],
      });
    } finally {
      await sandbox.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
