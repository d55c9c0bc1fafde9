/**
 * A Page's ability to send (SPEC §1.9, §7), as a pure function of the Graph
 * error that last said it cannot: a bad token, a missing permission, a
 * restriction, or a policy block.
 */
import type { GraphFailure } from '../messenger/graph-errors';

export const PAGE_HEALTH_STATUSES = [
  'ok',
  'token_invalid',
  'permission_missing',
  'restricted',
  'blocked',
] as const;
export type PageHealthStatus = (typeof PAGE_HEALTH_STATUSES)[number];

export function healthStatusFor(failure: Pick<GraphFailure, 'code' | 'subcode'>): PageHealthStatus {
  const { code, subcode } = failure;
  if (code === 190 || code === 102) return 'token_invalid';
  if (code === 368) return 'blocked';
  if (code === 10 && subcode === 1893063) return 'restricted';
  return 'permission_missing';
}

/** A Page's stored health: the Graph's last word, and a policy block from a webhook. */
export interface StoredPageHealth {
  status: PageHealthStatus;
  since: Date;
  lastError?: Record<string, unknown>;
  policyBlock?: { since: Date; reason?: string };
}

/**
 * The status shown. A policy block outranks what the Graph last said: a send that
 * succeeds (a test-send, a connection check) does not lift it, only Facebook's
 * `unblock` does.
 */
export function shownHealth(
  stored: StoredPageHealth,
): Pick<StoredPageHealth, 'status' | 'since' | 'lastError'> {
  if (!stored.policyBlock)
    return { status: stored.status, since: stored.since, lastError: stored.lastError };
  return {
    status: 'blocked',
    since: stored.policyBlock.since,
    lastError: {
      source: 'policy_enforcement',
      ...(stored.policyBlock.reason ? { message: stored.policyBlock.reason } : {}),
    },
  };
}
