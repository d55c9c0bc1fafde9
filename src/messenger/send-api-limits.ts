/**
 * The Send API's limits on a `message` object (text length, quick replies,
 * templates), in Facebook's words. One pure function serves twice: the composer
 * checks every rendered message with it before sending, and the sandbox refuses
 * with it (error 100), as Facebook does.
 */

import { isJsonObject } from '../common/json';

/** Characters as Facebook counts them: code points, so an emoji counts once. */
export const length = (value: unknown): number =>
  typeof value === 'string' ? [...value].length : 0;

/** The first limit `message` breaks, or undefined when Facebook would accept it. */
export function messageLimitProblem(message: unknown): string | undefined {
  if (!isJsonObject(message)) return 'param message must be a JSON object';
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if (hasText === hasAttachment) {
    return 'param message must have exactly one of text or attachment';
  }
  if (hasText) {
    if (typeof message.text !== 'string' || message.text.length === 0)
      return 'param message[text] must be a non-empty UTF-8 encoded string';
    if (length(message.text) > 2000)
      return 'Length of param message[text] must be less than or equal to 2000';
  }
  return (
    checkQuickReplies(message.quick_replies) ??
    (hasAttachment ? checkAttachment(message.attachment) : undefined)
  );
}

function checkQuickReplies(quickReplies: unknown): string | undefined {
  if (quickReplies === undefined) return undefined;
  if (!Array.isArray(quickReplies)) return 'param message[quick_replies] must be an array';
  if (quickReplies.length > 13) return 'param message[quick_replies] must have at most 13 items';
  for (const [index, reply] of quickReplies.entries()) {
    const at = `message[quick_replies][${index}]`;
    if (!isJsonObject(reply)) return `param ${at} must be a JSON object`;
    const type = reply.content_type;
    if (type === 'user_email' || type === 'user_phone_number') continue;
    if (type !== 'text')
      return `param ${at}[content_type] must be one of {text, user_email, user_phone_number}`;
    if (length(reply.title) === 0 && reply.image_url === undefined)
      return `param ${at}[title] must be non-empty`;
    if (length(reply.title) > 20)
      return `Length of param ${at}[title] must be less than or equal to 20`;
    if (length(reply.payload) === 0) return `param ${at}[payload] must be non-empty`;
    if (length(reply.payload) > 1000)
      return `Length of param ${at}[payload] must be less than or equal to 1000`;
  }
  return undefined;
}

function checkAttachment(attachment: unknown): string | undefined {
  if (!isJsonObject(attachment) || !isJsonObject(attachment.payload))
    return 'param message[attachment][payload] is required';
  const payload = attachment.payload;
  if (attachment.type !== 'template') {
    if (!['image', 'video', 'audio', 'file'].includes(String(attachment.type))) {
      return 'param message[attachment][type] must be one of {image, video, audio, file, template}';
    }
    const hasUrl = payload.url !== undefined;
    const hasId = payload.attachment_id !== undefined;
    if (hasUrl === hasId)
      return 'param message[attachment][payload] must have exactly one of url or attachment_id';
    return undefined;
  }
  switch (payload.template_type) {
    case 'button':
      if (length(payload.text) === 0)
        return 'param message[attachment][payload][text] must be non-empty';
      if (length(payload.text) > 640)
        return 'Length of param message[attachment][payload][text] must be less than or equal to 640';
      return checkButtons(payload.buttons, 'message[attachment][payload][buttons]', 1);
    case 'generic':
      return checkElements(payload.elements);
    case 'media':
    case 'one_time_notif_req':
    case 'notification_messages':
      return payload.template_type === 'one_time_notif_req' && length(payload.title) > 65
        ? 'Length of param message[attachment][payload][title] must be less than or equal to 65'
        : undefined;
    default:
      return 'param message[attachment][payload][template_type] is not supported';
  }
}

function checkElements(elements: unknown): string | undefined {
  if (!Array.isArray(elements) || elements.length === 0)
    return 'param message[attachment][payload][elements] must be non-empty';
  if (elements.length > 10)
    return 'param message[attachment][payload][elements] must have at most 10 items';
  for (const [index, element] of elements.entries()) {
    const at = `message[attachment][payload][elements][${index}]`;
    if (!isJsonObject(element) || length(element.title) === 0)
      return `param ${at}[title] must be non-empty`;
    if (length(element.title) > 80)
      return `Length of param ${at}[title] must be less than or equal to 80`;
    if (length(element.subtitle) > 80)
      return `Length of param ${at}[subtitle] must be less than or equal to 80`;
    const problem =
      element.buttons === undefined
        ? undefined
        : checkButtons(element.buttons, `${at}[buttons]`, 0);
    if (problem) return problem;
  }
  return undefined;
}

function checkButtons(buttons: unknown, at: string, min: number): string | undefined {
  if (!Array.isArray(buttons) || buttons.length < min) return `param ${at} must be non-empty`;
  if (buttons.length > 3) return `param ${at} must have at most 3 items`;
  for (const [index, button] of buttons.entries()) {
    if (!isJsonObject(button)) return `param ${at}[${index}] must be a JSON object`;
    if (button.type !== 'account_unlink' && length(button.title) === 0)
      return `param ${at}[${index}][title] must be non-empty`;
    if (length(button.title) > 20)
      return `Length of param ${at}[${index}][title] must be less than or equal to 20`;
  }
  return undefined;
}
