/**
 * The Send API's limits on a `message` object (text length, quick replies,
 * templates), defined once. The composer checks them when a campaign is saved,
 * personalisation checks every rendered message before it is sent, and the
 * sandbox refuses with them (error 100, in Facebook's words), as Facebook does.
 */

import { isJsonObject } from '../common/json';

export const SEND_API_LIMITS = {
  /** characters of a text message */
  text: 2000,
  /** characters of a button template's text */
  buttonTemplateText: 640,
  quickReplies: 13,
  /** characters of a quick-reply or button title */
  title: 20,
  /** characters of a quick-reply, postback or one-time-notification payload */
  payload: 1000,
  /** buttons of a button template or of a generic element */
  buttons: 3,
  elements: 10,
  /** characters of a generic element's title and subtitle */
  elementTitle: 80,
  /** characters of a one-time-notification request's title */
  otnTitle: 65,
} as const;

/** Characters as Facebook counts them: code points, so an emoji counts once. */
export const length = (value: unknown): number =>
  typeof value === 'string' ? [...value].length : 0;

/** Where in the `message` object, e.g. `['quick_replies', 0, 'title']`. */
export type MessagePath = readonly (string | number)[];

/** A broken limit, typed so callers tell a length from a count from a shape without reading prose. */
export type LimitProblem =
  | { path: MessagePath; kind: 'too_long'; max: number }
  | { path: MessagePath; kind: 'too_many'; max: number }
  | { path: MessagePath; kind: 'invalid'; expected: string };

/** The problem as Facebook words it (`Length of param message[text] must be less than or equal to 2000`). */
export function facebookWording(problem: LimitProblem): string {
  const param = `message${problem.path.map((part) => `[${part}]`).join('')}`;
  switch (problem.kind) {
    case 'too_long':
      return `Length of param ${param} must be less than or equal to ${problem.max}`;
    case 'too_many':
      return `param ${param} must have at most ${problem.max} items`;
    case 'invalid':
      return `param ${param} ${problem.expected}`;
  }
}

const tooLong = (path: MessagePath, value: unknown, max: number): LimitProblem | undefined =>
  length(value) > max ? { path, kind: 'too_long', max } : undefined;
const invalid = (path: MessagePath, expected: string): LimitProblem => ({
  path,
  kind: 'invalid',
  expected,
});

/** The first limit `message` breaks, or undefined when Facebook would accept it. */
export function messageLimitProblem(message: unknown): LimitProblem | undefined {
  if (!isJsonObject(message)) return invalid([], 'must be a JSON object');
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if (hasText === hasAttachment) return invalid([], 'must have exactly one of text or attachment');
  if (hasText) {
    if (typeof message.text !== 'string' || message.text.length === 0)
      return invalid(['text'], 'must be a non-empty UTF-8 encoded string');
    const problem = tooLong(['text'], message.text, SEND_API_LIMITS.text);
    if (problem) return problem;
  }
  return (
    checkQuickReplies(message.quick_replies) ??
    (hasAttachment ? checkAttachment(message.attachment) : undefined)
  );
}

function checkQuickReplies(quickReplies: unknown): LimitProblem | undefined {
  const at = ['quick_replies'];
  if (quickReplies === undefined) return undefined;
  if (!Array.isArray(quickReplies)) return invalid(at, 'must be an array');
  if (quickReplies.length > SEND_API_LIMITS.quickReplies)
    return { path: at, kind: 'too_many', max: SEND_API_LIMITS.quickReplies };
  for (const [index, reply] of quickReplies.entries()) {
    const path = [...at, index];
    if (!isJsonObject(reply)) return invalid(path, 'must be a JSON object');
    const type = reply.content_type;
    if (type === 'user_email' || type === 'user_phone_number') continue;
    if (type !== 'text')
      return invalid(
        [...path, 'content_type'],
        'must be one of {text, user_email, user_phone_number}',
      );
    if (length(reply.title) === 0 && reply.image_url === undefined)
      return invalid([...path, 'title'], 'must be non-empty');
    const problem =
      tooLong([...path, 'title'], reply.title, SEND_API_LIMITS.title) ??
      (length(reply.payload) === 0
        ? invalid([...path, 'payload'], 'must be non-empty')
        : undefined) ??
      tooLong([...path, 'payload'], reply.payload, SEND_API_LIMITS.payload);
    if (problem) return problem;
  }
  return undefined;
}

function checkAttachment(attachment: unknown): LimitProblem | undefined {
  if (!isJsonObject(attachment) || !isJsonObject(attachment.payload))
    return invalid(['attachment', 'payload'], 'is required');
  const payload = attachment.payload;
  const at = ['attachment', 'payload'];
  if (attachment.type !== 'template') {
    if (!['image', 'video', 'audio', 'file'].includes(String(attachment.type)))
      return invalid(
        ['attachment', 'type'],
        'must be one of {image, video, audio, file, template}',
      );
    if ((payload.url !== undefined) === (payload.attachment_id !== undefined))
      return invalid(at, 'must have exactly one of url or attachment_id');
    return undefined;
  }
  switch (payload.template_type) {
    case 'button':
      if (length(payload.text) === 0) return invalid([...at, 'text'], 'must be non-empty');
      return (
        tooLong([...at, 'text'], payload.text, SEND_API_LIMITS.buttonTemplateText) ??
        checkButtons(payload.buttons, [...at, 'buttons'], 1)
      );
    case 'generic':
      return checkElements(payload.elements, [...at, 'elements']);
    case 'one_time_notif_req':
      return (
        tooLong([...at, 'title'], payload.title, SEND_API_LIMITS.otnTitle) ??
        tooLong([...at, 'payload'], payload.payload, SEND_API_LIMITS.payload)
      );
    case 'media':
    case 'notification_messages':
      return undefined;
    default:
      return invalid([...at, 'template_type'], 'is not supported');
  }
}

function checkElements(elements: unknown, at: MessagePath): LimitProblem | undefined {
  if (!Array.isArray(elements) || elements.length === 0) return invalid(at, 'must be non-empty');
  if (elements.length > SEND_API_LIMITS.elements)
    return { path: at, kind: 'too_many', max: SEND_API_LIMITS.elements };
  for (const [index, element] of elements.entries()) {
    const path = [...at, index];
    if (!isJsonObject(element) || length(element.title) === 0)
      return invalid([...path, 'title'], 'must be non-empty');
    const problem =
      tooLong([...path, 'title'], element.title, SEND_API_LIMITS.elementTitle) ??
      tooLong([...path, 'subtitle'], element.subtitle, SEND_API_LIMITS.elementTitle) ??
      (element.buttons === undefined
        ? undefined
        : checkButtons(element.buttons, [...path, 'buttons'], 0));
    if (problem) return problem;
  }
  return undefined;
}

function checkButtons(buttons: unknown, at: MessagePath, min: number): LimitProblem | undefined {
  if (!Array.isArray(buttons) || buttons.length < min) return invalid(at, 'must be non-empty');
  if (buttons.length > SEND_API_LIMITS.buttons)
    return { path: at, kind: 'too_many', max: SEND_API_LIMITS.buttons };
  for (const [index, button] of buttons.entries()) {
    const path = [...at, index];
    if (!isJsonObject(button)) return invalid(path, 'must be a JSON object');
    if (button.type !== 'account_unlink' && length(button.title) === 0)
      return invalid([...path, 'title'], 'must be non-empty');
    const problem =
      tooLong([...path, 'title'], button.title, SEND_API_LIMITS.title) ??
      (button.type === 'postback'
        ? tooLong([...path, 'payload'], button.payload, SEND_API_LIMITS.payload)
        : undefined);
    if (problem) return problem;
  }
  return undefined;
}
