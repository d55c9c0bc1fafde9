/**
 * What a `messaging_handovers` webhook event says, read from Facebook's snake_case
 * shapes into one change, and how an owner is stored. Pure, so the webhook path
 * and the API path agree and each rule has a table test.
 */
import { asId, isJsonObject } from '../common/json';
import type { MessagingEvent } from '../webhooks/messaging-event';

export type HandoverChange =
  /** The thread now belongs to `ownerAppId` (null: this connector, or nobody: only another app's ownership matters). */
  | {
      kind: 'owner';
      psid: string;
      ownerAppId: string | null;
      previousOwnerAppId: string | null;
      metadata?: string;
      at: Date;
      via: 'pass_thread_control' | 'take_thread_control';
    }
  /** Another app asks this connector for the thread; the owner does not change. */
  | { kind: 'request'; psid: string; requestedOwnerAppId: string; metadata?: string; at: Date }
  /** The Page's apps and their roles. */
  | { kind: 'app_roles'; roles: Record<string, string[]>; at: Date };

/** A thread this connector owns is stored as no owner: eligibility only cares about other apps. */
export function storedOwner(appId: string | null | undefined, ownAppId?: string): string | null {
  if (!appId || appId === ownAppId) return null;
  return appId;
}

/**
 * The change an event makes, or undefined when it is not a handover event or is
 * malformed (no PSID, no timestamp, no new owner): such an event changes nothing.
 */
export function handoverChange(
  event: MessagingEvent,
  ownAppId?: string,
): HandoverChange | undefined {
  const at = typeof event.timestamp === 'number' ? new Date(event.timestamp) : undefined;
  if (!at || Number.isNaN(at.getTime())) return undefined;
  if (isJsonObject(event.app_roles)) {
    return { kind: 'app_roles', roles: appRoles(event.app_roles), at };
  }
  const psid = asId(event.sender?.id);
  if (!psid) return undefined;
  const request = event.request_thread_control;
  if (isJsonObject(request)) {
    const requestedOwnerAppId = asId(request.requested_owner_app_id);
    if (!requestedOwnerAppId) return undefined;
    return { kind: 'request', psid, requestedOwnerAppId, ...metadataOf(request), at };
  }
  for (const via of ['pass_thread_control', 'take_thread_control'] as const) {
    const handover = event[via];
    if (!isJsonObject(handover)) continue;
    const newOwner = asId(handover.new_owner_app_id);
    if (!newOwner) return undefined;
    return {
      kind: 'owner',
      psid,
      ownerAppId: storedOwner(newOwner, ownAppId),
      // `previous_owner_app_id` is null when the thread was idle.
      previousOwnerAppId: asId(handover.previous_owner_app_id) ?? null,
      ...metadataOf(handover),
      at,
      via,
    };
  }
  return undefined;
}

/** `{"<app id>": ["primary_receiver"], …}`, keeping only ids and string roles. */
function appRoles(raw: Record<string, unknown>): Record<string, string[]> {
  const roles: Record<string, string[]> = {};
  for (const [appId, list] of Object.entries(raw)) {
    if (!/^\d+$/.test(appId) || !Array.isArray(list)) continue;
    roles[appId] = list.filter((role): role is string => typeof role === 'string');
  }
  return roles;
}

function metadataOf(record: Record<string, unknown>): { metadata?: string } {
  return typeof record.metadata === 'string' ? { metadata: record.metadata } : {};
}
