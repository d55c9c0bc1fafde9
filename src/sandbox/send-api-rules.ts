/**
 * What the Send API refuses, checked the way Facebook does before it sends
 * anything: a pure function of the request body, so the sandbox answers the
 * same error for the same mistake every time.
 */
import { asId } from '../common/json';
import { invalidParameter, type GraphErrorSpec } from './graph-error-bodies';

/** Tags Facebook withdrew in April 2026; they now answer error 100. */
export const RETIRED_TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'];
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const length = (value: unknown): number => (typeof value === 'string' ? [...value].length : 0);

export function checkSendRequest(
  body: unknown,
  acceptedTags: readonly string[],
): GraphErrorSpec | undefined {
  if (!isObject(body)) return invalidParameter('The request body must be a JSON object');
  const recipient = body.recipient;
  if (!isObject(recipient)) return invalidParameter('The parameter recipient is required');
  if (recipient.id === undefined && recipient.one_time_notif_token === undefined) {
    return invalidParameter('param recipient must have id or one_time_notif_token');
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
  if (body.message === undefined) {
    return body.sender_action === undefined
      ? invalidParameter('param message must be non-empty')
      : undefined;
  }
  return checkMessage(body.message);
}

function checkTag(tag: unknown, acceptedTags: readonly string[]): GraphErrorSpec | undefined {
  if (typeof tag !== 'string' || tag === '')
    return invalidParameter('Param tag is required for messaging_type MESSAGE_TAG');
  if (RETIRED_TAGS.includes(tag)) {
    return invalidParameter(
      `The message tag ${tag} is no longer supported. Use a supported tag or another messaging option.`,
    );
  }
  if (!acceptedTags.includes(tag))
    return invalidParameter(`Param tag must be one of {${acceptedTags.join(', ')}}`);
  return undefined;
}

function checkMessage(message: unknown): GraphErrorSpec | undefined {
  if (!isObject(message)) return invalidParameter('param message must be a JSON object');
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if (hasText === hasAttachment) {
    return invalidParameter('param message must have exactly one of text or attachment');
  }
  if (hasText) {
    if (typeof message.text !== 'string' || message.text.length === 0)
      return invalidParameter('param message[text] must be a non-empty UTF-8 encoded string');
    if (length(message.text) > 2000)
      return invalidParameter('Length of param message[text] must be less than or equal to 2000');
  }
  return (
    checkQuickReplies(message.quick_replies) ??
    (hasAttachment ? checkAttachment(message.attachment) : undefined)
  );
}

function checkQuickReplies(quickReplies: unknown): GraphErrorSpec | undefined {
  if (quickReplies === undefined) return undefined;
  if (!Array.isArray(quickReplies))
    return invalidParameter('param message[quick_replies] must be an array');
  if (quickReplies.length > 13)
    return invalidParameter('param message[quick_replies] must have at most 13 items');
  for (const [index, reply] of quickReplies.entries()) {
    const at = `message[quick_replies][${index}]`;
    if (!isObject(reply)) return invalidParameter(`param ${at} must be a JSON object`);
    const type = reply.content_type;
    if (type === 'user_email' || type === 'user_phone_number') continue;
    if (type !== 'text')
      return invalidParameter(
        `param ${at}[content_type] must be one of {text, user_email, user_phone_number}`,
      );
    if (length(reply.title) === 0 && reply.image_url === undefined)
      return invalidParameter(`param ${at}[title] must be non-empty`);
    if (length(reply.title) > 20)
      return invalidParameter(`Length of param ${at}[title] must be less than or equal to 20`);
    if (length(reply.payload) === 0)
      return invalidParameter(`param ${at}[payload] must be non-empty`);
    if (length(reply.payload) > 1000)
      return invalidParameter(`Length of param ${at}[payload] must be less than or equal to 1000`);
  }
  return undefined;
}

function checkAttachment(attachment: unknown): GraphErrorSpec | undefined {
  if (!isObject(attachment) || !isObject(attachment.payload))
    return invalidParameter('param message[attachment][payload] is required');
  const payload = attachment.payload;
  if (attachment.type !== 'template') {
    if (!['image', 'video', 'audio', 'file'].includes(String(attachment.type))) {
      return invalidParameter(
        'param message[attachment][type] must be one of {image, video, audio, file, template}',
      );
    }
    const hasUrl = payload.url !== undefined;
    const hasId = payload.attachment_id !== undefined;
    if (hasUrl === hasId)
      return invalidParameter(
        'param message[attachment][payload] must have exactly one of url or attachment_id',
      );
    return undefined;
  }
  switch (payload.template_type) {
    case 'button':
      if (length(payload.text) === 0)
        return invalidParameter('param message[attachment][payload][text] must be non-empty');
      if (length(payload.text) > 640)
        return invalidParameter(
          'Length of param message[attachment][payload][text] must be less than or equal to 640',
        );
      return checkButtons(payload.buttons, 'message[attachment][payload][buttons]', 1);
    case 'generic':
      return checkElements(payload.elements);
    case 'media':
    case 'one_time_notif_req':
    case 'notification_messages':
      return payload.template_type === 'one_time_notif_req' && length(payload.title) > 65
        ? invalidParameter(
            'Length of param message[attachment][payload][title] must be less than or equal to 65',
          )
        : undefined;
    default:
      return invalidParameter('param message[attachment][payload][template_type] is not supported');
  }
}

function checkElements(elements: unknown): GraphErrorSpec | undefined {
  if (!Array.isArray(elements) || elements.length === 0)
    return invalidParameter('param message[attachment][payload][elements] must be non-empty');
  if (elements.length > 10)
    return invalidParameter(
      'param message[attachment][payload][elements] must have at most 10 items',
    );
  for (const [index, element] of elements.entries()) {
    const at = `message[attachment][payload][elements][${index}]`;
    if (!isObject(element) || length(element.title) === 0)
      return invalidParameter(`param ${at}[title] must be non-empty`);
    if (length(element.title) > 80)
      return invalidParameter(`Length of param ${at}[title] must be less than or equal to 80`);
    if (length(element.subtitle) > 80)
      return invalidParameter(`Length of param ${at}[subtitle] must be less than or equal to 80`);
    const problem =
      element.buttons === undefined
        ? undefined
        : checkButtons(element.buttons, `${at}[buttons]`, 0);
    if (problem) return problem;
  }
  return undefined;
}

function checkButtons(buttons: unknown, at: string, min: number): GraphErrorSpec | undefined {
  if (!Array.isArray(buttons) || buttons.length < min)
    return invalidParameter(`param ${at} must be non-empty`);
  if (buttons.length > 3) return invalidParameter(`param ${at} must have at most 3 items`);
  for (const [index, button] of buttons.entries()) {
    if (!isObject(button)) return invalidParameter(`param ${at}[${index}] must be a JSON object`);
    if (button.type !== 'account_unlink' && length(button.title) === 0)
      return invalidParameter(`param ${at}[${index}][title] must be non-empty`);
    if (length(button.title) > 20)
      return invalidParameter(
        `Length of param ${at}[${index}][title] must be less than or equal to 20`,
      );
  }
  return undefined;
}
