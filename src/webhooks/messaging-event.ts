/**
 * What a webhook delivers, as Facebook shapes it (snake_case): each entry of a
 * Page subscription holds `messaging` (events for this app) or `standby` (events
 * while another app owns the thread) arrays of events. Handlers of each capability
 * (users, receipts, tokens, handover, Page health) receive one event with where it
 * came from; they parse the fields they need and ignore the rest.
 */
export type MessagingEvent = Record<string, unknown> & {
  sender?: { id?: string; user_ref?: string };
  recipient?: { id?: string };
  timestamp?: number;
};

export interface WebhookEventContext {
  /** The Page the entry is for (`entry[].id`). */
  pageId: string;
  field: 'messaging' | 'standby';
  /**
   * This one event: the stored body's id (a hash of its bytes) and the event's
   * position in it, the same on every retry and redelivery of that body. Handlers
   * that write may key their writes by it (idempotence).
   */
  eventId: string;
  receivedAt: Date;
}
