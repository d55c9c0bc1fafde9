/**
 * Webhook payloads shaped as Facebook sends them for a Page subscription
 * (`object: "page"`, one entry per Page, `messaging` events inside).
 */
export interface WebhookPayload {
  object: 'page';
  entry: {
    id: string;
    time: number;
    messaging?: Record<string, unknown>[];
    standby?: Record<string, unknown>[];
    changes?: { field: string; value: Record<string, unknown> }[];
  }[];
}

export function pageWebhook(
  pageId: string,
  events: Record<string, unknown>[],
  field: 'messaging' | 'standby' = 'messaging',
): WebhookPayload {
  return { object: 'page', entry: [{ id: pageId, time: Date.now(), [field]: events }] };
}

/** A template's review as Facebook reports it: a `changes` entry, not a messaging event. */
export function templateStatusWebhook(
  pageId: string,
  value: Record<string, unknown>,
): WebhookPayload {
  return {
    object: 'page',
    entry: [
      {
        id: pageId,
        time: Date.now(),
        changes: [{ field: 'message_template_status_update', value }],
      },
    ],
  };
}

const envelope = (pageId: string, psid: string, timestamp: number) => ({
  sender: { id: psid },
  recipient: { id: pageId },
  timestamp,
});

export function inboundMessageEvent(pageId: string, psid: string, text: string, at = Date.now()) {
  return { ...envelope(pageId, psid, at), message: { mid: `m_in_${at}_${psid}`, text } };
}

export function deliveryEvent(
  pageId: string,
  psid: string,
  watermark: number,
  mids: string[] = [],
) {
  return {
    ...envelope(pageId, psid, watermark),
    delivery: { ...(mids.length ? { mids } : {}), watermark },
  };
}

export function readEvent(pageId: string, psid: string, watermark: number) {
  return { ...envelope(pageId, psid, watermark), read: { watermark } };
}

/**
 * The body bytes Facebook signs and sends: JSON with every non-ASCII UTF-16 unit
 * escaped as `\uXXXX` (lowercase hex, emoji as surrogate pairs) and `/` as `\/`.
 * A receiver that parses and serialises again gets other bytes and another
 * signature, so the sandbox signs exactly this.
 */
export function facebookJson(payload: unknown): string {
  return (
    JSON.stringify(payload)
      .replace(
        /[\u0080-\uffff]/g,
        (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
      // `/` occurs only inside JSON strings, so every one can be escaped.
      .replace(/\//g, '\\/')
  );
}
