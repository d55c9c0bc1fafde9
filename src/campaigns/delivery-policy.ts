/**
 * The delivery policy (SPEC §3): which messaging_type a send carries and what
 * it needs. Tags are allowed only from ALLOWED_MESSAGE_TAGS (empty by default:
 * Facebook retired the update tags in April 2026, and HUMAN_AGENT is for people).
 */
import { isJsonObject } from '../common/json';
import type { ErrorDetail } from '../common/api-error';
import type { MessagingType } from '../messenger/payloads';
import { TEMPLATE_LANGUAGE, TEMPLATE_NAME } from '../templates/template-rules';
import { unknownKeyProblems } from './known-keys';
import { templateProblems } from './personalisation';

export type DeliveryPolicy =
  | { policy: 'window'; attemptUnknownWindow: boolean }
  | { policy: 'tag'; tag: string }
  | { policy: 'otn'; topic: string }
  | { policy: 'notification_messages'; topic: string }
  | { policy: 'utility'; template: string; language: string; parameters: string[] };

/** Facebook's most body parameters a utility template can take is far below this; it bounds the input. */
const MAX_UTILITY_PARAMETERS = 100;

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
  utility: ['policy', 'template', 'language', 'parameters'],
};

export function parseDelivery(
  input: unknown,
  allowedTags: readonly string[],
  field = 'delivery',
): { delivery: DeliveryPolicy } | { problems: ErrorDetail[] } {
  const problem = (at: string, reason: string) => ({ problems: [{ field: at, reason }] });
  if (input === undefined) return { delivery: { policy: 'window', attemptUnknownWindow: false } };
  if (!isJsonObject(input))
    return problem(field, 'must be {policy: window|tag|otn|notification_messages|utility, …}');
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
    case 'utility':
      return parseUtility(input, field);
    default:
      return problem(
        `${field}.policy`,
        'must be window, tag, otn, notification_messages or utility',
      );
  }
}

/**
 * The template's name and language and one Liquid string per body parameter,
 * rendered per user like every string of a message. Whether the Page has that
 * template, and with how many parameters, is checked against the stored template.
 */
function parseUtility(
  input: Record<string, unknown>,
  field: string,
): { delivery: DeliveryPolicy } | { problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  if (typeof input.template !== 'string' || !TEMPLATE_NAME.test(input.template))
    problems.push({ field: `${field}.template`, reason: 'must be a template name' });
  if (typeof input.language !== 'string' || !TEMPLATE_LANGUAGE.test(input.language))
    problems.push({ field: `${field}.language`, reason: 'must be a locale such as en_US' });
  const parameters = input.parameters ?? [];
  if (
    !Array.isArray(parameters) ||
    parameters.length > MAX_UTILITY_PARAMETERS ||
    parameters.some((parameter) => typeof parameter !== 'string' || parameter === '')
  ) {
    problems.push({
      field: `${field}.parameters`,
      reason: `must be at most ${MAX_UTILITY_PARAMETERS} non-empty strings (Liquid), one per {{n}} of the template`,
    });
  } else {
    problems.push(...templateProblems({ parameters }, field));
  }
  if (problems.length > 0) return { problems };
  return {
    delivery: {
      policy: 'utility',
      template: input.template as string,
      language: input.language as string,
      parameters: parameters as string[],
    },
  };
}

export function messagingTypeFor(delivery: DeliveryPolicy): {
  messagingType: MessagingType;
  tag?: string;
} {
  if (delivery.policy === 'tag') return { messagingType: 'MESSAGE_TAG', tag: delivery.tag };
  return { messagingType: delivery.policy === 'utility' ? 'UTILITY' : 'UPDATE' };
}
