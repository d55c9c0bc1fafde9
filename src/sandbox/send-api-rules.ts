/**
 * What the Send API refuses, checked the way Facebook does before it sends
 * anything: a pure function of the request body, so the sandbox answers the
 * same error for the same mistake every time.
 */
import { asId, isJsonObject } from '../common/json';
import { facebookAnswer, messageLimitProblem } from '../messenger/send-api-limits';
import { graphError, invalidParameter, type GraphErrorSpec } from './graph-error-bodies';

/** Tags Facebook withdrew in April 2026; they now answer error 100 with subcode 1893061. */
export const RETIRED_TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'];
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY'];

export function checkSendRequest(
  body: unknown,
  acceptedTags: readonly string[],
): GraphErrorSpec | undefined {
  if (!isJsonObject(body)) return invalidParameter('The request body must be a JSON object');
  const recipient = body.recipient;
  if (!isJsonObject(recipient)) return invalidParameter('The parameter recipient is required');
  const recipientKeys = ['id', 'one_time_notif_token', 'notification_messages_token'];
  if (recipientKeys.filter((key) => recipient[key] !== undefined).length !== 1) {
    return invalidParameter(
      'param recipient must have one of id, one_time_notif_token or notification_messages_token',
    );
  }
  if (recipient.id !== undefined && !/^\d+$/.test(asId(recipient.id) ?? '')) {
    return invalidParameter('No matching user found', 2018001);
  }
  if (body.sender_action === undefined) {
    const messagingType = body.messaging_type;
    if (messagingType === undefined)
      return invalidParameter('The parameter messaging_type is required');
    if (typeof messagingType !== 'string' || !MESSAGING_TYPES.includes(messagingType)) {
      return invalidParameter(
        `Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}}`,
      );
    }
    if (messagingType === 'MESSAGE_TAG') {
      const tagProblem = checkTag(body.tag, acceptedTags);
      if (tagProblem) return tagProblem;
    }
  }
  // A sender action (typing, seen) is a state: Facebook takes it or a message, never both.
  if (body.message === undefined) {
    return body.sender_action === undefined
      ? invalidParameter('Must send either message or state', 2018015)
      : undefined;
  }
  if (body.sender_action !== undefined)
    return invalidParameter('Cannot send both message and state at the same time.', 2018014);
  const problem = messageLimitProblem(body.message);
  if (!problem) return undefined;
  const { code, subcode, words } = facebookAnswer(problem);
  return graphError(code, words, subcode);
}

function checkTag(tag: unknown, acceptedTags: readonly string[]): GraphErrorSpec | undefined {
  if (typeof tag !== 'string' || tag === '')
    return invalidParameter('Param tag is required for messaging_type MESSAGE_TAG');
  if (RETIRED_TAGS.includes(tag)) {
    return invalidParameter(
      `The message tag ${tag} is no longer supported. Use a supported tag or another messaging option.`,
      1893061,
    );
  }
  if (!acceptedTags.includes(tag))
    return invalidParameter(`Param tag must be one of {${acceptedTags.join(', ')}}`);
  return undefined;
}
