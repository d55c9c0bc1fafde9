import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Hub-Signature-256` of a webhook body: `sha256=` + HMAC-SHA256(raw body, app secret) in hex. */
export function hubSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** The legacy `X-Hub-Signature` Facebook still sends beside it: `sha1=` + HMAC-SHA1 in hex. */
export function legacyHubSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha1=${createHmac('sha1', appSecret).update(rawBody).digest('hex')}`;
}

const SHA256_HEADER = /^sha256=([0-9a-f]{64})$/i;

/**
 * Whether `header` is the `X-Hub-Signature-256` of these exact bytes. The digests
 * are compared in constant time; a header of the wrong form is refused before any
 * comparison, which tells an attacker nothing about the secret.
 */
export function isValidHubSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  const match = SHA256_HEADER.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(match[1], 'hex'), expected);
}
