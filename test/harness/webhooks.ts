/**
 * Webhook bodies posted as Facebook posts them: serialised with its escaping
 * (non-ASCII as `\uXXXX`, `/` as `\/`), signed over those exact bytes, and then
 * awaited until the service has processed them (processing follows the 200).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubSignature } from '../../src/common/hub-signature';
import { facebookJson } from '../../src/sandbox/webhook-events';
import { APP_SECRET, type TestApp } from './app';
import { eventually } from './eventually';

/** A stored webhook body as the tests read it back. */
export type StoredEvent = {
  _id: string;
  bodySealed: string;
  status: string;
  attempts: number;
  lastError?: string;
  refused?: { position: string; reason: string }[];
};

/** A payload of test/fixtures/webhooks, in Meta's shapes. */
export const webhookFixture = <T = unknown>(name: string): T =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'webhooks', `${name}.json`), 'utf8'));

export const sha256 = (raw: string) => createHash('sha256').update(raw).digest('hex');

/** POSTs `raw` (by default the payload as Facebook serialises it) to `app` with a signature. */
export async function deliverTo(
  app: TestApp,
  payload: unknown,
  options: { raw?: string; secret?: string; signature?: string | null } = {},
) {
  const raw = options.raw ?? facebookJson(payload);
  const request = app.http().post('/webhooks/messenger').set('Content-Type', 'application/json');
  const signature =
    options.signature === undefined
      ? hubSignature(raw, options.secret ?? APP_SECRET)
      : options.signature;
  if (signature !== null) request.set('X-Hub-Signature-256', signature);
  return { response: await request.send(raw), id: sha256(raw) };
}

/** The stored body `id` of `app` once processed. */
export const processedOn = (app: TestApp, id: string) =>
  eventually(
    () => app.db.collection<StoredEvent>('webhook_events').findOne({ _id: id }),
    (event) => event?.status === 'processed',
  ) as Promise<StoredEvent>;

/** Delivers a body to `app` as Facebook would and waits until it has been processed. */
export async function postTo(app: TestApp, payload: unknown): Promise<StoredEvent> {
  const { response, id } = await deliverTo(app, payload);
  expect({ status: response.status, text: response.text }).toEqual({
    status: 200,
    text: 'EVENT_RECEIVED',
  });
  return processedOn(app, id);
}
