/**
 * Pure rules of the notification-token ledger (SPEC §1.7, §3, §5): what an
 * opt-in webhook says, when a token expires, how often a marketing-message token
 * may be used, and the keys under which uses are claimed (SPEC §8).
 */
import type { GraphFailure } from '../messenger/graph-errors';
import type { MessagingEvent } from '../webhooks/messaging-event';

export const TOKEN_KINDS = ['otn', 'notification_messages'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const TOKEN_STATUSES = [
  'active',
  'consumed',
  'invalid',
  'unknown',
  'stopped',
  'expired',
] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

export const NOTIFICATION_FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY'] as const;
export type NotificationFrequency = (typeof NOTIFICATION_FREQUENCIES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
/** Facebook's cooldown between two marketing messages on one token (48 hours since September 2025). */
export const MARKETING_COOLDOWN_MS = 2 * DAY_MS;

/**
 * What became of a claimed token's send: `consumed` (OTN) or `sent` (marketing
 * message) on success, `invalid` on a token error, `unknown` when the answer was
 * lost, `frequency` when Facebook refused a marketing message for its frequency.
 */
export const TOKEN_OUTCOMES = ['consumed', 'sent', 'invalid', 'unknown', 'frequency'] as const;
export type TokenOutcome = (typeof TOKEN_OUTCOMES)[number];

/**
 * The token's status after a send. An OTN is spent by any attempt (never used
 * twice, whatever happened); a marketing-message token stays active unless
 * Facebook called it invalid: its use record is what the frequency counts.
 */
export function settledStatus(kind: TokenKind, outcome: TokenOutcome): TokenStatus {
  if (outcome === 'invalid') return 'invalid';
  if (kind === 'notification_messages') return 'active';
  if (outcome === 'unknown') return 'unknown';
  // A frequency refusal of an OTN still spent the attempt: the token is not tried again.
  return outcome === 'frequency' ? 'invalid' : 'consumed';
}

/**
 * The outcome to settle a claim with, from the final result of its send (after
 * any retries): success; Facebook's frequency refusal; a refusal Facebook
 * answered (for an OTN any, since it is never tried again; for a marketing-
 * message token only an invalid parameter, as a refused user does not make the
 * token bad); otherwise `unknown`: the answer was lost or ambiguous.
 */
export function outcomeOfSend(
  kind: TokenKind,
  failure?: Pick<GraphFailure, 'kind' | 'class' | 'effect'>,
): TokenOutcome {
  if (!failure) return kind === 'otn' ? 'consumed' : 'sent';
  if (failure.effect === 'frequency') return 'frequency';
  const answered = failure.kind === 'graph' && failure.class !== 'ambiguous';
  if (answered && (kind === 'otn' || failure.effect === 'invalid_parameter')) return 'invalid';
  return 'unknown';
}

/** An OTN token expires a year after the opt-in. */
export function otnExpiry(optedInAt: Date): Date {
  const expiry = new Date(optedInAt.getTime());
  expiry.setUTCFullYear(expiry.getUTCFullYear() + 1);
  return expiry;
}

/**
 * Least intervals between two uses of a marketing-message token: the user's
 * frequency, never under Facebook's cooldown. Rolling, as Facebook counts its
 * cooldown; a month is 31 days, so no reading of "monthly" is ever exceeded.
 */
const FREQUENCY_INTERVAL_MS: Record<NotificationFrequency, number> = {
  DAILY: MARKETING_COOLDOWN_MS,
  WEEKLY: 7 * DAY_MS,
  MONTHLY: 31 * DAY_MS,
};

/** The earliest time a marketing-message token used at `usedAt` may be used again. */
export function nextAllowedAt(frequency: NotificationFrequency | undefined, usedAt: Date): Date {
  const interval = frequency ? FREQUENCY_INTERVAL_MS[frequency] : MARKETING_COOLDOWN_MS;
  return new Date(usedAt.getTime() + Math.max(interval, MARKETING_COOLDOWN_MS));
}

/** The status a reader sees: an active token past its expiry is expired, whatever is stored. */
export function effectiveStatus(
  token: { status: TokenStatus; expiresAt: Date },
  now: Date,
): TokenStatus {
  return token.status === 'active' && token.expiresAt.getTime() <= now.getTime()
    ? 'expired'
    : token.status;
}

/**
 * The key of a token's use. An OTN has one use ever, keyed by the token. A
 * marketing-message token's uses are numbered: use n+1 is inserted only after
 * use n was read and its frequency allows another, so two workers reading the
 * same last use collide on the same key and only one sends.
 */
export function useKeyOf(kind: TokenKind, tokenId: string, sequence: number): string {
  return kind === 'otn' ? tokenId : `${tokenId}:${sequence}`;
}

/**
 * The smallest n ≥ 1 for which `exists(n)` is false, given that uses are numbered
 * without gaps from 1: doubling then bisecting, so a token used a hundred times
 * costs about fourteen lookups by key rather than a hundred (or a scan).
 */
export async function firstMissing(exists: (n: number) => Promise<boolean>): Promise<number> {
  let missing = 1;
  while (await exists(missing)) missing *= 2;
  let present = missing === 1 ? 0 : missing / 2;
  while (missing - present > 1) {
    const middle = Math.floor((present + missing) / 2);
    if (await exists(middle)) present = middle;
    else missing = middle;
  }
  return missing;
}

/** What an opt-in webhook event asks of the ledger. */
export type OptinChange =
  | { action: 'store'; token: OptinToken }
  | { action: 'status'; to: 'stopped' | 'active'; token?: OptinToken };

export interface OptinToken {
  kind: TokenKind;
  value: string;
  topic: string;
  optedInAt: Date;
  expiresAt: Date;
  frequency?: NotificationFrequency;
  timezone?: string;
  userTokenStatus?: string;
  title?: string;
}

const MAX_TOKEN_LENGTH = 4096;
const MAX_TOPIC_LENGTH = 1000;

/**
 * Reads an opt-in event as Facebook shapes it (`optin.type` `one_time_notif_req`
 * or `notification_messages`). Anything else (the checkbox and Send to Messenger
 * plugins' plain opt-ins, malformed tokens) is undefined: nothing for the ledger.
 */
export function parseOptin(event: MessagingEvent, receivedAt: Date): OptinChange | undefined {
  const optin = event.optin;
  if (typeof optin !== 'object' || optin === null) return undefined;
  const fields = optin as Record<string, unknown>;
  const optedInAt = timeOf(event.timestamp) ?? receivedAt;
  const topic = typeof fields.payload === 'string' ? fields.payload : '';
  if (topic.length > MAX_TOPIC_LENGTH) return undefined;
  if (fields.type === 'one_time_notif_req') {
    const value = tokenValue(fields.one_time_notif_token);
    if (!value) return undefined;
    return {
      action: 'store',
      token: { kind: 'otn', value, topic, optedInAt, expiresAt: otnExpiry(optedInAt) },
    };
  }
  if (fields.type !== 'notification_messages') return undefined;
  const value = tokenValue(fields.notification_messages_token);
  const token: OptinToken | undefined = value
    ? {
        kind: 'notification_messages',
        value,
        topic,
        optedInAt,
        // Facebook always sends an expiry; a year, as for OTN, if one ever lacks it.
        expiresAt: timeOf(fields.token_expiry_timestamp) ?? otnExpiry(optedInAt),
        frequency: NOTIFICATION_FREQUENCIES.find(
          (f) => f === fields.notification_messages_frequency,
        ),
        timezone: stringOf(fields.notification_messages_timezone),
        userTokenStatus: stringOf(fields.user_token_status),
        title: stringOf(fields.title),
      }
    : undefined;
  if (fields.notification_messages_status === 'STOP NOTIFICATIONS') {
    return { action: 'status', to: 'stopped', token };
  }
  if (fields.notification_messages_status === 'RESUME NOTIFICATIONS') {
    return { action: 'status', to: 'active', token };
  }
  return token ? { action: 'store', token } : undefined;
}

function tokenValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_LENGTH
    ? value
    : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0
    ? value.slice(0, MAX_TOPIC_LENGTH)
    : undefined;
}

/** Facebook's timestamps are milliseconds, but some fields are documented as Unix seconds: both are read. */
function timeOf(value: unknown): Date | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return undefined;
  return new Date(number < 1e12 ? number * 1000 : number);
}
