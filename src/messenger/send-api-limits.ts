/**
 * The Send API's limits on a `message` object (text length, quick replies,
 * templates), defined once. The composer checks them when a campaign is saved,
 * personalisation checks every rendered message before it is sent, and the
 * sandbox refuses with them, with Facebook's code, subcode and words.
 */

import { asId, isJsonObject } from '../common/json';

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
  /** a media template holds one image or video, with at most one button */
  mediaElements: 1,
  mediaButtons: 1,
  /** items of a receipt */
  receiptElements: 100,
} as const;

/** Characters as Facebook counts them: code points, so an emoji counts once. */
export const length = (value: unknown): number =>
  typeof value === 'string' ? [...value].length : 0;

/** Where in the `message` object, e.g. `['quick_replies', 0, 'title']`. */
export type MessagePath = readonly (string | number)[];

/** Facebook's own answer to a refusal it words itself: code, subcode and words after `(#code) `. */
export interface FacebookAnswer {
  code: number;
  subcode?: number;
  words: string;
}

/** A broken limit, typed so callers tell a length from a count from a shape without reading prose. */
export type LimitProblem =
  | { path: MessagePath; kind: 'too_long'; max: number }
  | { path: MessagePath; kind: 'too_many'; max: number }
  | { path: MessagePath; kind: 'invalid'; expected: string; facebook?: FacebookAnswer };

/** Media templates take only Facebook-hosted media (or an uploaded attachment id). */
export const FACEBOOK_URL = /^https:\/\/(www\.|business\.|m\.)?facebook\.com\/[^\s]+$/i;
const HTTPS_URL = /^https:\/\/[^\s]+$/i;
const MESSAGE_KEYS = ['text', 'attachment', 'sticker_id', 'quick_replies', 'metadata'];
const CONTENT_KEYS = ['text', 'attachment', 'sticker_id'];
const BUTTON_TYPES = [
  'web_url',
  'postback',
  'phone_number',
  'account_link',
  'account_unlink',
  'game_play',
];
/** Log-in and log-out buttons carry no title: Facebook shows its own. */
const UNTITLED_BUTTONS = ['account_link', 'account_unlink'];
const MEDIA_TYPES = ['image', 'video'];
const RECEIPT_FIELDS = ['recipient_name', 'order_number', 'currency', 'payment_method', 'summary'];

/**
 * The parameter as Facebook's answers name it: a template payload's fields under
 * `name_placeholder` (`name_placeholder[buttons][0]`), anything else under `message`.
 */
function paramName(path: MessagePath): string {
  const [first, second, ...rest] = path;
  const inTemplate = first === 'attachment' && second === 'payload' && rest.length > 0;
  const [name, ...parts] = inTemplate ? ['name_placeholder', ...rest] : ['message', ...path];
  return `${name}${parts.map((part) => `[${part}]`).join('')}`;
}

/** Facebook's code, subcode and words for the problem: error 100 unless Facebook has its own. */
export function facebookAnswer(problem: LimitProblem): FacebookAnswer {
  const param = paramName(problem.path);
  switch (problem.kind) {
    case 'too_long':
      return {
        code: 100,
        words: `Length of param ${param} must be less than or equal to ${problem.max}`,
      };
    case 'too_many':
      return { code: 100, words: `param ${param} must have at most ${problem.max} items` };
    case 'invalid':
      return problem.facebook ?? { code: 100, words: `param ${param} ${problem.expected}` };
  }
}

/** The problem as Facebook words it (`Length of param message[text] must be less than or equal to 2000`). */
export const facebookWording = (problem: LimitProblem): string => facebookAnswer(problem).words;

const tooLong = (path: MessagePath, value: unknown, max: number): LimitProblem | undefined =>
  length(value) > max ? { path, kind: 'too_long', max } : undefined;
const tooMany = (
  path: MessagePath,
  items: readonly unknown[],
  max: number,
): LimitProblem | undefined => (items.length > max ? { path, kind: 'too_many', max } : undefined);
const invalid = (path: MessagePath, expected: string, facebook?: FacebookAnswer): LimitProblem => ({
  path,
  kind: 'invalid',
  expected,
  ...(facebook ? { facebook } : {}),
});
/** An empty array where Facebook wants items: its error 194. */
const tooFew = (path: MessagePath): LimitProblem =>
  invalid(path, 'must not be empty', {
    code: 194,
    words: `param ${paramName(path)} has too few elements.`,
  });
const required = (path: MessagePath): LimitProblem =>
  invalid(path, 'is required', {
    code: 100,
    words: `The parameter ${paramName(path)} is required`,
  });
/** Quick-reply payloads may be numbers: Facebook sends them back as text. */
const payloadText = (value: unknown): unknown =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
const isId = (value: unknown): boolean => /^\d+$/.test(asId(value) ?? '');

/** The first limit `message` breaks, or undefined when Facebook would accept it. */
export function messageLimitProblem(message: unknown): LimitProblem | undefined {
  if (!isJsonObject(message)) return invalid([], 'must be a JSON object');
  const unknownKeys = Object.keys(message).filter((key) => !MESSAGE_KEYS.includes(key));
  if (unknownKeys.length > 0) {
    return invalid([], `has keys the Send API does not take: ${unknownKeys.join(', ')}`, {
      code: 100,
      words: `Invalid keys "${unknownKeys.join(', ')}" were found in param "message".`,
    });
  }
  const contents = CONTENT_KEYS.filter((key) => message[key] !== undefined);
  if (contents.length !== 1) {
    return invalid(
      [],
      'must have exactly one of text, attachment or sticker_id',
      contents.length === 0
        ? {
            code: 100,
            subcode: 2018034,
            words: 'Message cannot be empty, must provide valid attachment or text',
          }
        : undefined,
    );
  }
  if (message.text !== undefined) {
    if (typeof message.text !== 'string' || message.text.length === 0)
      return invalid(['text'], 'must be a non-empty UTF-8 encoded string');
    const problem = tooLong(['text'], message.text, SEND_API_LIMITS.text);
    if (problem) return problem;
  }
  if (message.sticker_id !== undefined && !isId(message.sticker_id))
    return invalid(['sticker_id'], 'must be a sticker id');
  return (
    checkQuickReplies(message.quick_replies) ??
    (message.attachment !== undefined ? checkAttachment(message.attachment) : undefined)
  );
}

function checkQuickReplies(quickReplies: unknown): LimitProblem | undefined {
  const at = ['quick_replies'];
  if (quickReplies === undefined) return undefined;
  if (!Array.isArray(quickReplies)) return invalid(at, 'must be an array');
  if (quickReplies.length === 0) return tooFew(at);
  const tooManyReplies = tooMany(at, quickReplies, SEND_API_LIMITS.quickReplies);
  if (tooManyReplies) return tooManyReplies;
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
    if (length(reply.title) === 0 && reply.image_url === undefined) {
      return invalid([...path, 'title'], 'must be non-empty', {
        code: 100,
        subcode: 2018098,
        words: 'Title is required for this quick reply content type',
      });
    }
    const payload = payloadText(reply.payload);
    const problem =
      tooLong([...path, 'title'], reply.title, SEND_API_LIMITS.title) ??
      (length(payload) === 0
        ? invalid([...path, 'payload'], 'must be non-empty', {
            code: 100,
            subcode: 2018099,
            words: 'Payload is required for this quick reply content type',
          })
        : undefined) ??
      tooLong([...path, 'payload'], payload, SEND_API_LIMITS.payload);
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
        checkButtons(payload.buttons, [...at, 'buttons'], 'template')
      );
    case 'generic':
      return checkElements(payload.elements, [...at, 'elements']);
    case 'media':
      return checkMedia(payload.elements, [...at, 'elements']);
    case 'receipt':
      return checkReceipt(payload, at);
    case 'one_time_notif_req':
      return (
        tooLong([...at, 'title'], payload.title, SEND_API_LIMITS.otnTitle) ??
        tooLong([...at, 'payload'], payload.payload, SEND_API_LIMITS.payload)
      );
    // Checked against the Page's opt-ins and approved templates (the sandbox does), not fixed limits.
    case 'notification_messages':
    case 'utility_messages':
      return undefined;
    default:
      return invalid([...at, 'template_type'], 'is not supported', {
        code: 100,
        subcode: 2018026,
        words: 'Unsupported template type provided. Please check API documentation for detail.',
      });
  }
}

function checkElements(elements: unknown, at: MessagePath): LimitProblem | undefined {
  if (!Array.isArray(elements) || elements.length === 0) return tooFew(at);
  const tooManyElements = tooMany(at, elements, SEND_API_LIMITS.elements);
  if (tooManyElements) return tooManyElements;
  for (const [index, element] of elements.entries()) {
    const path = [...at, index];
    if (!isJsonObject(element) || length(element.title) === 0)
      return invalid([...path, 'title'], 'must be non-empty');
    const problem =
      tooLong([...path, 'title'], element.title, SEND_API_LIMITS.elementTitle) ??
      tooLong([...path, 'subtitle'], element.subtitle, SEND_API_LIMITS.elementTitle) ??
      (element.buttons === undefined
        ? undefined
        : checkButtons(element.buttons, [...path, 'buttons'], 'element'));
    if (problem) return problem;
    if (length(element.subtitle) === 0 && length(element.image_url) === 0 && !element.buttons) {
      return invalid(path, 'needs a subtitle, image_url or buttons besides its title', {
        code: 100,
        subcode: 2018035,
        words:
          'Incomplete element data: title and at least one other field (image url, subtitle or buttons) is required with non-empty value',
      });
    }
  }
  return undefined;
}

/** The media template: one image or video, Facebook-hosted or uploaded, and at most one button. */
function checkMedia(elements: unknown, at: MessagePath): LimitProblem | undefined {
  if (!Array.isArray(elements) || elements.length === 0) return tooFew(at);
  const tooManyElements = tooMany(at, elements, SEND_API_LIMITS.mediaElements);
  if (tooManyElements) return tooManyElements;
  const [element] = elements as unknown[];
  const path = [...at, 0];
  if (!isJsonObject(element)) return invalid(path, 'must be a JSON object');
  if (!MEDIA_TYPES.includes(String(element.media_type)))
    return invalid([...path, 'media_type'], 'must be one of {image, video}');
  if ((element.url !== undefined) === (element.attachment_id !== undefined))
    return invalid(path, 'must have exactly one of url or attachment_id');
  if (
    element.url !== undefined &&
    !(typeof element.url === 'string' && FACEBOOK_URL.test(element.url))
  )
    return invalid([...path, 'url'], 'must be a Facebook URL (or use attachment_id)');
  if (element.attachment_id !== undefined && !isId(element.attachment_id))
    return invalid([...path, 'attachment_id'], 'must be an attachment id');
  if (element.buttons === undefined) return undefined;
  return checkButtons(
    element.buttons,
    [...path, 'buttons'],
    'element',
    SEND_API_LIMITS.mediaButtons,
  );
}

function checkReceipt(payload: Record<string, unknown>, at: MessagePath): LimitProblem | undefined {
  const missing = RECEIPT_FIELDS.find(
    (field) => payload[field] === undefined || payload[field] === '',
  );
  if (missing) return required([...at, missing]);
  const summary = payload.summary;
  if (!isJsonObject(summary) || typeof summary.total_cost !== 'number' || summary.total_cost < 0) {
    return invalid([...at, 'summary', 'total_cost'], 'must be a positive amount', {
      code: 100,
      subcode: 2018055,
      words:
        'The amount you specified in payment summary is invalid. Please verify that it is a valid positive amount and is supported by its currency in terms of decimal places.',
    });
  }
  if (payload.elements === undefined) return undefined;
  if (!Array.isArray(payload.elements)) return invalid([...at, 'elements'], 'must be an array');
  return tooMany([...at, 'elements'], payload.elements, SEND_API_LIMITS.receiptElements);
}

/**
 * Buttons of a button template (`template`: an empty list is a 100) or of an
 * element (`element`: an empty list is a 194), as Facebook tells them apart.
 */
function checkButtons(
  buttons: unknown,
  at: MessagePath,
  holder: 'template' | 'element',
  max: number = SEND_API_LIMITS.buttons,
): LimitProblem | undefined {
  if (buttons === undefined) return required(at);
  if (!Array.isArray(buttons)) return invalid(at, 'must be an array');
  if (buttons.length === 0) {
    return holder === 'element'
      ? tooFew(at)
      : invalid(at, 'must not be empty', {
          code: 100,
          words: `param ${paramName(at)} must be non-empty.`,
        });
  }
  const tooManyButtons = tooMany(at, buttons, max);
  if (tooManyButtons) return tooManyButtons;
  for (const [index, button] of buttons.entries()) {
    const problem = checkButton(button, [...at, index]);
    if (problem) return problem;
  }
  return undefined;
}

function checkButton(button: unknown, path: MessagePath): LimitProblem | undefined {
  if (!isJsonObject(button)) return invalid(path, 'must be a JSON object');
  const type = String(button.type);
  if (!BUTTON_TYPES.includes(type))
    return invalid([...path, 'type'], `must be one of {${BUTTON_TYPES.join(', ')}}`);
  if (!UNTITLED_BUTTONS.includes(type) && length(button.title) === 0)
    return invalid([...path, 'title'], 'must be non-empty');
  const problem = tooLong([...path, 'title'], button.title, SEND_API_LIMITS.title);
  if (problem) return problem;
  switch (type) {
    case 'postback':
      if (length(button.payload) === 0) {
        return invalid([...path, 'payload'], 'is required for a postback button', {
          code: 100,
          subcode: 2018040,
          words: 'Payload cannot be empty for postback type button',
        });
      }
      return tooLong([...path, 'payload'], button.payload, SEND_API_LIMITS.payload);
    case 'web_url':
      return length(button.url) === 0
        ? invalid([...path, 'url'], 'is required for a URL button', {
            code: 100,
            subcode: 2018041,
            words: 'Web url cannot be empty for url type button',
          })
        : undefined;
    case 'account_link':
      return typeof button.url === 'string' && HTTPS_URL.test(button.url)
        ? undefined
        : invalid([...path, 'url'], 'must be an HTTPS URL');
    default:
      return undefined;
  }
}
