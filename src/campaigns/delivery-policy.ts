/**
 * The delivery policy (SPEC §3): which messaging_type a send carries and what
 * it needs. Tags are allowed only from ALLOWED_MESSAGE_TAGS (empty by default:
 * Facebook retired the update tags in April 2026, and HUMAN_AGENT is for people).
 */
import { isJsonObject } from '../common/json';
import type { ErrorDetail } from '../common/api-error';
import type { MessagingType } from '../messenger/payloads';
import { unknownKeyProblems } from './known-keys';

export type DeliveryPolicy =
  | { policy: 'window'; attemptUnknownWindow: boolean }
  | { policy: 'tag'; tag: string }
  | { policy: 'otn'; topic: string }
  | { policy: 'notification_messages'; topic: string };

/** The policies that send to a notification token instead of a PSID, and the ledger's kind for each. */
export function tokenKindOf(delivery: DeliveryPolicy): 'otn' | 'notification_messages' | undefined {
  return delivery.policy === 'otn' || delivery.policy === 'notification_messages'
    ? delivery.policy
    : undefined;
}

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  window: ['policy', 'attemptUnknownWindow'],
  tag: ['policy', 'tag'],
  otn: ['policy', 'topic'],
  notification_messages: ['policy', 'topic'],
};

export function parseDelivery(
  input: unknown,
  allowedTags: readonly string[],
  field = 'delivery',
): { delivery: DeliveryPolicy } | { problems: ErrorDetail[] } {
  const problem = (at: string, reason: string) => ({ problems: [{ field: at, reason }] });
  if (input === undefined) return { delivery: { policy: 'window', attemptUnknownWindow: false } };
  if (!isJsonObject(input))
    return problem(field, 'must be {policy: window|tag|otn|notification_messages, …}');
  const policy = input.policy ?? 'window';
  const unknown = unknownKeyProblems(input, ALLOWED_KEYS, policy, 'policy', field);
  if (unknown.length > 0) return { problems: unknown };
  switch (policy) {
    case 'window':
      if (
        input.attemptUnknownWindow !== undefined &&
        typeof input.attemptUnknownWindow !== 'boolean'
      ) {
        return problem(`${field}.attemptUnknownWindow`, 'must be true or false');
      }
      return {
        delivery: { policy: 'window', attemptUnknownWindow: input.attemptUnknownWindow === true },
      };
    case 'tag':
      if (typeof input.tag !== 'string' || !allowedTags.includes(input.tag)) {
        const allowed =
          allowedTags.length > 0
            ? `one of ${allowedTags.join(', ')}`
            : 'allowed first in ALLOWED_MESSAGE_TAGS (none is now)';
        return problem(`${field}.tag`, `must be ${allowed}`);
      }
      return { delivery: { policy: 'tag', tag: input.tag } };
    case 'otn':
    case 'notification_messages':
      if (typeof input.topic !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(input.topic)) {
        return problem(
          `${field}.topic`,
          'must be the opt-in topic (letters, digits, _ . -; at most 100)',
        );
      }
      return {
        delivery: { policy: input.policy as 'otn' | 'notification_messages', topic: input.topic },
      };
    default:
      return problem(`${field}.policy`, 'must be window, tag, otn or notification_messages');
  }
}

export function messagingTypeFor(delivery: DeliveryPolicy): {
  messagingType: MessagingType;
  tag?: string;
} {
  return delivery.policy === 'tag'
    ? { messagingType: 'MESSAGE_TAG', tag: delivery.tag }
    : { messagingType: 'UPDATE' };
}
