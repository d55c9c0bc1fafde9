/**
 * The token ledger's claims under a race (SPEC §8), as several workers make them:
 * three app instances on one database claim every user's token at once, several
 * times each, and send with what they won. Every OTN is used at most once, every
 * user holding one gets exactly one message, and a marketing-message token gives
 * one send per frequency period, whoever asks.
 */
import { randomBytes } from 'node:crypto';
import { MessengerClient } from '../src/messenger/messenger-client.service';
import { sendMessageBody, textMessage } from '../src/messenger/payloads';
import { PagesService } from '../src/pages/pages.service';
import type { SandboxOptin } from '../src/sandbox/sandbox.types';
import { outcomeOfSend } from '../src/tokens/token-rules';
import { TokensService, type TokenClaim } from '../src/tokens/tokens.service';
import { createTestApp, type TestApp } from './harness/app';
import { PAGE_ID, PAGE_TOKEN, registerPage } from './harness/audience';

jest.setTimeout(180_000);

const USERS = 100;
/** Claims per user from each instance: 100 users × 3 instances × 2 = 600 claims at once. */
const CLAIMS_PER_INSTANCE = 2;
const psid = (n: number) => String(6_200_000_000_000_000 + n);

describe('token claims racing across app instances', () => {
  const instances: TestApp[] = [];
  const sandbox = () => instances[0].sandbox!.sandbox;

  beforeAll(async () => {
    const first = await createTestApp({
      sandbox: { pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN }], recordLimit: 0 },
    });
    instances.push(first);
    for (let i = 0; i < 2; i += 1) {
      instances.push(
        await createTestApp({
          sandbox: false,
          env: { MONGODB_URI: first.config.mongodbUri, GRAPH_API_URL: first.sandbox!.url },
        }),
      );
    }
    await registerPage(first);
  });
  afterAll(async () => {
    for (const instance of instances.slice(1)) await instance.close();
    await instances[0]?.close();
  });

  /** Each user opts in once; the events are applied by the instances in turn, as a load balancer would spread them. */
  async function optInAll(optin: SandboxOptin, offset: number): Promise<Map<string, string>> {
    const issued = new Map<string, string>();
    await Promise.all(
      Array.from({ length: USERS }, async (_, n) => {
        const user = psid(offset + n);
        const { token, event } = sandbox().optIn(PAGE_ID, user, optin);
        issued.set(user, token);
        await instances[n % instances.length].app.get(TokensService).applyOptin(
          {
            pageId: PAGE_ID,
            field: 'messaging',
            eventId: randomBytes(8).toString('hex'),
            receivedAt: new Date(),
          },
          event,
        );
      }),
    );
    return issued;
  }

  /** Every instance claims every user's token CLAIMS_PER_INSTANCE times, all at once; the winners send and settle. */
  async function raceClaims(kind: 'otn' | 'notification_messages', topic: string, offset: number) {
    const attempts = instances.flatMap((instance, i) =>
      Array.from({ length: USERS * CLAIMS_PER_INSTANCE }, (_, k) => ({
        instance,
        user: psid(offset + (k % USERS)),
        useKey: `race:${i}:${k}`,
      })),
    );
    const page = await instances[0].app.get(PagesService).credentials(PAGE_ID);
    return Promise.all(
      attempts.map(async ({ instance, user, useKey }) => {
        const tokens = instance.app.get(TokensService);
        const claim = await tokens.claim(PAGE_ID, user, kind, topic, useKey);
        if (!claim.claimed) return { user, claim };
        const body = sendMessageBody({
          recipient: { id: user },
          messagingType: 'UPDATE',
          message: textMessage('Back in stock'),
        });
        // The Messenger client's Recipient type names only PSIDs and OTN tokens so far.
        const sent = await instance.app
          .get(MessengerClient)
          .sendMessage(page, { ...body, recipient: claim.recipient } as unknown as typeof body);
        await tokens.settle(claim, outcomeOfSend(kind, sent.ok ? undefined : sent.failure));
        return { user, claim, sent };
      }),
    );
  }

  it('uses every OTN at most once, and gives each user holding one exactly one message', async () => {
    const issued = await optInAll({ type: 'one_time_notif_req', topic: 'restock' }, 0);
    expect(await instances[1].app.get(TokensService).holders(PAGE_ID, 'otn', 'restock')).toEqual(
      new Set(issued.keys()),
    );

    const results = await raceClaims('otn', 'restock', 0);
    expect(results).toHaveLength(USERS * instances.length * CLAIMS_PER_INSTANCE);
    const won = results.filter((result) => result.claim.claimed);
    // Exactly one claim per user, each with that user's own token, and every send accepted.
    expect(won).toHaveLength(USERS);
    expect(new Set(won.map((result) => result.user)).size).toBe(USERS);
    for (const result of won) {
      expect((result.claim as TokenClaim).value).toBe(issued.get(result.user));
      expect(result.sent).toMatchObject({ ok: true, value: { recipientId: result.user } });
    }
    for (const result of results.filter((r) => !r.claim.claimed)) {
      expect(result.claim).toEqual({ claimed: false, reason: 'no_token' });
    }
    const db = instances[0].db;
    expect(await db.collection('notification_token_uses').countDocuments({})).toBe(USERS);
    expect(await db.collection('notification_tokens').countDocuments({ status: 'consumed' })).toBe(
      USERS,
    );

    // Later, nothing is left to use.
    const tokens = instances[2].app.get(TokensService);
    expect(await tokens.holders(PAGE_ID, 'otn', 'restock')).toEqual(new Set());
    expect(await tokens.claim(PAGE_ID, psid(0), 'otn', 'restock', 'later')).toEqual({
      claimed: false,
      reason: 'no_token',
    });
  });

  it('gives a marketing-message token one send per frequency period, whoever asks', async () => {
    const issued = await optInAll(
      { type: 'notification_messages', topic: 'deals', frequency: 'DAILY' },
      USERS,
    );
    const results = await raceClaims('notification_messages', 'deals', USERS);
    const won = results.filter((result) => result.claim.claimed);
    expect(won).toHaveLength(USERS);
    expect(new Set(won.map((result) => result.user))).toEqual(new Set(issued.keys()));
    // Facebook (the sandbox) accepted every one: none came within its cooldown.
    expect(won.every((result) => result.sent?.ok)).toBe(true);
    for (const result of results.filter((r) => !r.claim.claimed)) {
      expect(result.claim).toMatchObject({ claimed: false, reason: 'frequency_cap' });
    }
  });
});
