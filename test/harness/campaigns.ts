/** Helpers for tests that send campaigns: a segment, a campaign, and its publication, over the API. */
import { auth, type TestApp } from './app';
import { PAGE_ID } from './audience';

/** An app whose sending engine runs, quickly: ticks and refreshes of tens of milliseconds, short retries. */
export const ENGINE_ENV = {
  ROLE: 'all',
  ENGINE_TICK_MS: '20',
  ENGINE_REFRESH_MS: '50',
  RETRY_BASE_MS: '5',
  PAGE_LEASE_TTL_MS: '3000',
};

export const EVERYONE = { attribute: 'psid', op: 'exists', value: true };

export async function createSegment(
  t: TestApp,
  rules: object = EVERYONE,
  name = 'Everyone',
): Promise<string> {
  const created = await t
    .http()
    .post(`/api/pages/${PAGE_ID}/segments`)
    .set(auth)
    .send({ name, rules })
    .expect(201);
  return created.body.id as string;
}

/** A draft campaign of `segmentId` saying hello by first name; `fields` override any part. */
export async function createCampaign(
  t: TestApp,
  segmentId: string,
  fields: object = {},
): Promise<string> {
  const created = await t
    .http()
    .post(`/api/pages/${PAGE_ID}/campaigns`)
    .set(auth)
    .send({
      name: 'Campaign',
      segmentId,
      message: { kind: 'text', text: 'Hi {{ user.firstName }}' },
      ...fields,
    })
    .expect(201);
  return created.body.id as string;
}

/** Publishes without a test-send (force): for tests about what happens after. */
export async function forcePublish(t: TestApp, campaignId: string): Promise<void> {
  await t
    .http()
    .post(`/api/campaigns/${campaignId}/publish`)
    .set(auth)
    .send({ force: true })
    .expect(200);
}
