import { createHmac } from 'node:crypto';

/** `X-Hub-Signature-256` of a webhook body: `sha256=` + HMAC-SHA256(raw body, app secret) in hex. */
export function hubSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
