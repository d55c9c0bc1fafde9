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
  }[];
}

export function pageWebhook(
  pageId: string,
  events: Record<string, unknown>[],
  field: 'messaging' | 'standby' = 'messaging',
): WebhookPayload {
  return { object: 'page', entry: [{ id: pageId, time: Date.now(), [field]: events }] };
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
