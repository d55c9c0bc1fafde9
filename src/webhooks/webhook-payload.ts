/**
 * Pure reading of a Page webhook body as Meta documents it (snake_case): which
 * events it holds, of which kind, and the few fields each capability needs. No
 * I/O here; a field that is missing or malformed is a `problem` naming it, which
 * refuses that one event for good (processing it again would not fix it).
 */
import type { MessagingEvent } from './messaging-event';

/** One event of a `messaging` or `standby` array, with where it sits in the body. */
export interface WebhookItem {
  pageId: string;
  field: 'messaging' | 'standby';
  /** `entry.field.index`: the same for every delivery of the same body. */
  position: string;
  event: MessagingEvent;
}

/** One `changes` item of an entry (`message_template_status_update` and the like). */
export interface WebhookChange {
  pageId: string;
  position: string;
  field: string;
  value: Record<string, unknown>;
}

export type Problem = { problem: string };

export function isProblem(value: object): value is Problem {
  return 'problem' in value;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The events of a Page subscription body, or why it is not one. */
export function webhookItems(
  body: unknown,
): { items: WebhookItem[]; changes: WebhookChange[] } | Problem {
  if (!isRecord(body) || body.object !== 'page' || !Array.isArray(body.entry))
    return { problem: 'not a Page webhook (object "page" with an entry array)' };
  const items: WebhookItem[] = [];
  const changes: WebhookChange[] = [];
  for (const [e, entry] of body.entry.entries()) {
    if (!isRecord(entry) || typeof entry.id !== 'string' || !/^\d+$/.test(entry.id))
      return { problem: `entry[${e}].id must be a Page id` };
    for (const field of ['messaging', 'standby'] as const) {
      const events: unknown = entry[field];
      if (events === undefined) continue;
      if (!Array.isArray(events)) return { problem: `entry[${e}].${field} must be an array` };
      for (const [i, event] of events.entries()) {
        if (!isRecord(event)) return { problem: `entry[${e}].${field}[${i}] must be an object` };
        items.push({ pageId: entry.id, field, position: `${e}.${field}.${i}`, event });
      }
    }
    const entryChanges: unknown = entry.changes;
    if (entryChanges === undefined) continue;
    if (!Array.isArray(entryChanges)) return { problem: `entry[${e}].changes must be an array` };
    for (const [i, change] of entryChanges.entries()) {
      if (!isRecord(change) || typeof change.field !== 'string' || !isRecord(change.value))
        return { problem: `entry[${e}].changes[${i}] must have a field and a value` };
      changes.push({
        pageId: entry.id,
        position: `${e}.changes.${i}`,
        field: change.field,
        value: change.value,
      });
    }
  }
  return { items, changes };
}

export const HANDOVER_KINDS = [
  'pass_thread_control',
  'take_thread_control',
  'request_thread_control',
  'app_roles',
] as const;

/**
 * Meta's reference names the policy object `policy_enforcement`; older payloads
 * say `policy-enforcement`, and the subscription field `messaging_policy_enforcement`
 * has been seen as the key too.
 */
const POLICY_KEYS = ['policy_enforcement', 'policy-enforcement', 'messaging_policy_enforcement'];

const KNOWN_KINDS = ['message', 'postback', 'referral', 'optin', 'delivery', 'read'] as const;

export type EventKind =
  | (typeof KNOWN_KINDS)[number]
  | (typeof HANDOVER_KINDS)[number]
  | 'echo'
  | 'policy_enforcement';

/** What an event is, by the key Meta puts it under; `unknown` names the key (for the count). */
export function eventKind(event: MessagingEvent): { kind: EventKind } | { unknown: string } {
  if (isRecord(event.message) && event.message.is_echo === true) return { kind: 'echo' };
  for (const kind of [...KNOWN_KINDS, ...HANDOVER_KINDS]) if (kind in event) return { kind };
  if (POLICY_KEYS.some((key) => key in event)) return { kind: 'policy_enforcement' };
  const key = Object.keys(event).find(
    (name) => !['sender', 'recipient', 'timestamp'].includes(name),
  );
  return { unknown: metricLabel(key) };
}

/** A key from the body as a Prometheus label: short and plain, or `other`. */
export function metricLabel(key: string | undefined): string {
  return key && /^[a-z][a-z0-9_-]{0,39}$/.test(key) ? key : 'other';
}

/** What the user's last inbound event was: kept on the user, without the text itself. */
export interface LastInbound {
  kind: 'message' | 'postback' | 'referral';
  at: Date;
  mid?: string;
  hasText?: boolean;
  quickReplyPayload?: string;
  attachmentTypes?: string[];
  stickerId?: string;
  postbackPayload?: string;
  referral?: { source?: string; type?: string; ref?: string; adId?: string };
}

export interface Inbound {
  psid: string;
  at: Date;
  /** A Click-to-Messenger ad brought the user (referral source `ADS`). */
  fromAd: boolean;
  text?: string;
  last: LastInbound;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

function psidAndTime(event: MessagingEvent): { psid: string; at: Date } | Problem {
  const psid = event.sender?.id;
  if (typeof psid !== 'string' || psid === '') return { problem: 'sender.id is missing' };
  if (typeof event.timestamp !== 'number' || !Number.isFinite(event.timestamp))
    return { problem: 'timestamp must be a number of milliseconds' };
  return { psid, at: new Date(event.timestamp) };
}

function referralOf(value: unknown): LastInbound['referral'] | undefined {
  if (!isRecord(value)) return undefined;
  const fields = { source: value.source, type: value.type, ref: value.ref, adId: value.ad_id };
  // Only what Facebook sent: the driver would store an undefined field as null.
  return Object.fromEntries(
    Object.entries(fields).flatMap(([name, field]) => {
      const text = str(field);
      return text === undefined ? [] : [[name, text]];
    }),
  );
}

/** A message, postback or referral from the user: who, when, and what to keep. */
export function inboundOf(
  kind: 'message' | 'postback' | 'referral',
  event: MessagingEvent,
): Inbound | Problem {
  const who = psidAndTime(event);
  if (isProblem(who)) return who;
  const body = event[kind];
  if (!isRecord(body)) return { problem: `${kind} must be an object` };
  const last: LastInbound = { kind, at: who.at };
  let text: string | undefined;
  let referral: LastInbound['referral'];
  if (kind === 'message') {
    last.mid = str(body.mid);
    text = typeof body.text === 'string' ? body.text : undefined;
    if (text !== undefined) last.hasText = true;
    if (isRecord(body.quick_reply)) last.quickReplyPayload = str(body.quick_reply.payload);
    if (Array.isArray(body.attachments))
      last.attachmentTypes = body.attachments.map(
        (a) => (isRecord(a) ? str(a.type) : undefined) ?? 'unknown',
      );
    if (body.sticker_id !== undefined) last.stickerId = str(body.sticker_id);
    referral = referralOf(body.referral);
  } else if (kind === 'postback') {
    last.mid = str(body.mid);
    last.postbackPayload = str(body.payload);
    referral = referralOf(body.referral);
  } else {
    referral = referralOf(body);
  }
  if (referral) last.referral = referral;
  const fromAd = referral?.source === 'ADS';
  return { psid: who.psid, at: who.at, fromAd, ...(text !== undefined ? { text } : {}), last };
}

/** A delivery or read receipt: its PSID, watermark and, for deliveries, the mids it names. */
export function receiptOf(
  kind: 'delivery' | 'read',
  event: MessagingEvent,
): { psid: string; kind: 'delivered' | 'read'; watermark: Date; mids?: string[] } | Problem {
  const psid = event.sender?.id;
  if (typeof psid !== 'string' || psid === '') return { problem: 'sender.id is missing' };
  const body = event[kind];
  if (!isRecord(body) || typeof body.watermark !== 'number' || !Number.isFinite(body.watermark))
    return { problem: `${kind}.watermark must be a number of milliseconds` };
  const mids = Array.isArray(body.mids)
    ? body.mids.filter((mid): mid is string => typeof mid === 'string')
    : undefined;
  return {
    psid,
    kind: kind === 'delivery' ? 'delivered' : 'read',
    watermark: new Date(body.watermark),
    ...(mids?.length ? { mids } : {}),
  };
}

/** A policy enforcement action on the Page: `block`, `unblock` or `warning`, with Facebook's reason. */
export function policyActionOf(
  event: MessagingEvent,
): { action: string; reason?: string } | Problem {
  const body = POLICY_KEYS.map((key) => event[key]).find(isRecord);
  if (!body || typeof body.action !== 'string')
    return { problem: 'policy enforcement without an action' };
  return { action: body.action, reason: str(body.reason) };
}

/** A utility template's new status (`changes` field `message_template_status_update`). */
export interface TemplateStatusUpdate {
  templateId?: string;
  name?: string;
  language?: string;
  status: string;
  reason?: string;
}

export function templateStatusOf(value: Record<string, unknown>): TemplateStatusUpdate | Problem {
  if (typeof value.event !== 'string')
    return { problem: 'message_template_status_update without an event' };
  return {
    templateId: str(value.message_template_id),
    name: str(value.message_template_name),
    language: str(value.message_template_language),
    status: value.event,
    reason: str(value.reason),
  };
}

/** Whether a message is a stop keyword: the whole text, trimmed, in any case (`stop` but not `don't stop`). */
export function isOptOut(text: string | undefined, keywords: readonly string[]): boolean {
  if (text === undefined || keywords.length === 0) return false;
  const said = text.trim().toUpperCase();
  return keywords.some((keyword) => keyword.toUpperCase() === said);
}

/** How long a failed event waits before its `attempt`-th retry: doubling from 5 s, at most an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/** Attempts after which an event is marked failed (with the last reason) instead of retried. */
export const MAX_ATTEMPTS = 10;
