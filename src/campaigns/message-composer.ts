/**
 * The message composer (SPEC §2): a campaign's message, in the marketer's terms,
 * compiled by pure functions to a Send API `message` object. Every limit is
 * checked on the way, and a problem names its field (`message.quickReplies[2]`).
 * Strings may hold Liquid; they are rendered per user later, on each string.
 */
import { isJsonObject } from '../common/json';
import { FieldProblems, type ErrorDetail } from '../common/api-error';
import {
  FACEBOOK_URL,
  length,
  messageLimitProblem,
  SEND_API_LIMITS as LIMITS,
  type LimitProblem,
} from '../messenger/send-api-limits';
import type { QuickReply, SendApiMessage } from '../messenger/payloads';

export const MESSAGE_KINDS = [
  'text',
  'attachment',
  'buttons',
  'generic',
  'media',
  'otn_request',
  'raw',
] as const;
type MessageKind = (typeof MESSAGE_KINDS)[number];
/** The fields each kind takes besides `kind`; any other is refused, never stored or dropped silently. */
const KIND_FIELDS: Record<MessageKind, readonly string[]> = {
  text: ['text', 'quickReplies'],
  attachment: ['attachmentType', 'url', 'attachmentId', 'reusable', 'quickReplies'],
  buttons: ['text', 'buttons'],
  generic: ['elements'],
  media: ['mediaType', 'url', 'attachmentId', 'button'],
  otn_request: ['title', 'payload'],
  raw: ['payload'],
};
const QUICK_REPLY_FIELDS = ['title', 'payload', 'imageUrl'];
const BUTTON_FIELDS = ['title', 'value'];
const ELEMENT_FIELDS = ['title', 'subtitle', 'imageUrl', 'defaultActionUrl', 'buttons'];
const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'];
const MEDIA_TYPES = ['image', 'video'];
/** JSON size cap of a raw payload. */
export const RAW_MAX_BYTES = 64 * 1024;
/** Nesting depth cap of a raw payload: deeper JSON is no Send API message, and would only exhaust the stack. */
export const RAW_MAX_DEPTH = 20;
export const HAS_LIQUID = /\{\{|\{%/;
const URL_PATTERN = /^https?:\/\/[^\s]+$/i;

export class MessageError extends FieldProblems {}

type Json = Record<string, unknown>;

class Composer {
  readonly problems: ErrorDetail[] = [];

  fail(field: string, reason: string): undefined {
    this.problems.push({ field, reason });
    return undefined;
  }

  onlyFields(value: Json, allowed: readonly string[], field: string): void {
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) this.fail(`${field}.${key}`, 'is not an allowed field');
  }

  /**
   * A non-empty string of at most `max` characters. A Liquid template is measured
   * once rendered, per user (personalisation.ts), not here.
   */
  text(value: unknown, field: string, max: number, required = true): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      return this.fail(field, 'must be a non-empty string');
    if (!HAS_LIQUID.test(value) && length(value) > max)
      return this.fail(field, `must be at most ${max} characters`);
    return value;
  }

  url(value: unknown, field: string): string | undefined {
    if (typeof value !== 'string' || !URL_PATTERN.test(value))
      return this.fail(field, 'must be an http(s) URL');
    return value;
  }

  quickReplies(value: unknown, field: string): QuickReply[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.fail(field, 'must be an array');
    if (value.length > LIMITS.quickReplies)
      return this.fail(field, `at most ${LIMITS.quickReplies} quick replies`);
    return value
      .map((reply, index) => this.quickReply(reply, `${field}[${index}]`))
      .filter((reply): reply is QuickReply => reply !== undefined);
  }

  /** `user_email`, `user_phone_number`, `Label [https://…/icon.png]`, a plain label, or an explicit object. */
  quickReply(value: unknown, field: string): QuickReply | undefined {
    if (typeof value === 'string') {
      const label = value.trim();
      if (label === 'user_email' || label === 'user_phone_number') return { content_type: label };
      const withImage = /^(.*\S)\s*\[(https?:\/\/[^\]\s]+)\]$/.exec(label);
      const title = this.text(withImage ? withImage[1] : label, field, LIMITS.title);
      if (!title) return undefined;
      return {
        content_type: 'text',
        title,
        payload: title,
        ...(withImage ? { image_url: withImage[2] } : {}),
      };
    }
    if (!isJsonObject(value))
      return this.fail(field, 'must be a label or {title, payload, imageUrl?}');
    this.onlyFields(value, QUICK_REPLY_FIELDS, field);
    const title = this.text(value.title, `${field}.title`, LIMITS.title);
    const payload = this.text(value.payload ?? value.title, `${field}.payload`, LIMITS.payload);
    const imageUrl =
      value.imageUrl === undefined ? undefined : this.url(value.imageUrl, `${field}.imageUrl`);
    if (!title || !payload) return undefined;
    return { content_type: 'text', title, payload, ...(imageUrl ? { image_url: imageUrl } : {}) };
  }

  buttons(value: unknown, field: string, min: number): Json[] | undefined {
    if (value === undefined && min === 0) return undefined;
    if (!Array.isArray(value) || value.length < min || value.length > LIMITS.buttons) {
      return this.fail(
        field,
        min > 0 ? `must hold 1 to ${LIMITS.buttons} buttons` : `at most ${LIMITS.buttons} buttons`,
      );
    }
    return value
      .map((button, index) => this.button(button, `${field}[${index}]`))
      .filter((button): button is Json => button !== undefined);
  }

  /**
   * `{title, value}`: a URL is web_url, `phone_number:+1…` a call button,
   * `account_link:https://…` a log-in button, `account_unlink` a log-out button,
   * anything else a postback with the value as payload.
   */
  button(value: unknown, field: string): Json | undefined {
    if (!isJsonObject(value)) return this.fail(field, 'must be {title, value}');
    this.onlyFields(value, BUTTON_FIELDS, field);
    const raw = typeof value.value === 'string' ? value.value.trim() : undefined;
    if (raw === 'account_unlink' || value.title === 'account_unlink')
      return { type: 'account_unlink' };
    const title = this.text(value.title, `${field}.title`, LIMITS.title);
    if (raw === undefined || raw === '')
      return this.fail(
        `${field}.value`,
        'must be a URL, phone_number:…, account_link:…, account_unlink or a postback payload',
      );
    if (!title) return undefined;
    if (URL_PATTERN.test(raw)) return { type: 'web_url', title, url: raw };
    if (raw.startsWith('phone_number:')) {
      const phone = raw.slice('phone_number:'.length);
      if (!/^\+\d{6,15}$/.test(phone))
        return this.fail(
          `${field}.value`,
          'phone_number: takes an international number such as +15551234567',
        );
      return { type: 'phone_number', title, payload: phone };
    }
    // Facebook's log-in button has no title of its own, and takes only HTTPS.
    if (raw.startsWith('account_link:')) {
      const url = raw.slice('account_link:'.length);
      return /^https:\/\/\S+$/i.test(url)
        ? { type: 'account_link', url }
        : this.fail(`${field}.value`, 'account_link: takes an https URL (Facebook requires HTTPS)');
    }
    if (length(raw) > LIMITS.payload)
      return this.fail(
        `${field}.value`,
        `a postback payload is at most ${LIMITS.payload} characters`,
      );
    return { type: 'postback', title, payload: raw };
  }
}

const template = (payload: Json): SendApiMessage => ({ attachment: { type: 'template', payload } });

/** The Send API message for `input`; throws MessageError listing every problem. */
export function composeMessage(input: unknown, field = 'message'): SendApiMessage {
  const c = new Composer();
  const message = compose(c, input, field);
  if (c.problems.length > 0 || !message) {
    throw new MessageError(
      c.problems.length > 0 ? c.problems : [{ field, reason: 'is not a valid message' }],
    );
  }
  return message;
}

function compose(c: Composer, input: unknown, field: string): SendApiMessage | undefined {
  if (!isJsonObject(input)) return c.fail(field, 'must be an object with a kind');
  const at = (name: string) => `${field}.${name}`;
  if (!isMessageKind(input.kind))
    return c.fail(at('kind'), `must be one of ${MESSAGE_KINDS.join(', ')}`);
  c.onlyFields(input, ['kind', ...KIND_FIELDS[input.kind]], field);
  switch (input.kind) {
    case 'text': {
      const text = c.text(input.text, at('text'), LIMITS.text);
      const quickReplies = c.quickReplies(input.quickReplies, at('quickReplies'));
      return text
        ? { text, ...(quickReplies?.length ? { quick_replies: quickReplies } : {}) }
        : undefined;
    }
    case 'attachment': {
      if (!ATTACHMENT_TYPES.includes(String(input.attachmentType)))
        return c.fail(at('attachmentType'), `must be one of ${ATTACHMENT_TYPES.join(', ')}`);
      if ((input.url === undefined) === (input.attachmentId === undefined))
        return c.fail(field, 'takes exactly one of url or attachmentId');
      const payload =
        input.url !== undefined
          ? { url: c.url(input.url, at('url')), is_reusable: input.reusable !== false }
          : {
              attachment_id: /^\d+$/.test(String(input.attachmentId))
                ? String(input.attachmentId)
                : c.fail(at('attachmentId'), 'must be an attachment id (digits)'),
            };
      const quickReplies = c.quickReplies(input.quickReplies, at('quickReplies'));
      return {
        attachment: { type: input.attachmentType, payload },
        ...(quickReplies?.length ? { quick_replies: quickReplies } : {}),
      };
    }
    case 'buttons': {
      const text = c.text(input.text, at('text'), LIMITS.buttonTemplateText);
      const buttons = c.buttons(input.buttons, at('buttons'), 1);
      return text && buttons ? template({ template_type: 'button', text, buttons }) : undefined;
    }
    case 'generic': {
      const elements = input.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > LIMITS.elements)
        return c.fail(at('elements'), `must hold 1 to ${LIMITS.elements} elements`);
      return template({
        template_type: 'generic',
        elements: elements.map((element, index) =>
          genericElement(c, element, `${at('elements')}[${index}]`),
        ),
      });
    }
    case 'media': {
      if (!MEDIA_TYPES.includes(String(input.mediaType)))
        return c.fail(at('mediaType'), 'must be image or video');
      if ((input.url === undefined) === (input.attachmentId === undefined))
        return c.fail(field, 'takes exactly one of url (a Facebook URL) or attachmentId');
      if (
        input.url !== undefined &&
        (typeof input.url !== 'string' || !FACEBOOK_URL.test(input.url))
      ) {
        return c.fail(
          at('url'),
          'must be a facebook.com URL of a Page photo or video (or use attachmentId)',
        );
      }
      const button = input.button === undefined ? undefined : c.button(input.button, at('button'));
      const media =
        input.url !== undefined
          ? { url: input.url }
          : { attachment_id: String(input.attachmentId) };
      return template({
        template_type: 'media',
        elements: [
          { media_type: input.mediaType, ...media, ...(button ? { buttons: [button] } : {}) },
        ],
      });
    }
    case 'otn_request': {
      const title = c.text(input.title, at('title'), LIMITS.otnTitle);
      const payload = c.text(input.payload, at('payload'), LIMITS.payload);
      return title && payload
        ? template({ template_type: 'one_time_notif_req', title, payload })
        : undefined;
    }
    case 'raw':
      return rawPayload(c, input.payload, at('payload'));
  }
}

const isMessageKind = (kind: unknown): kind is MessageKind =>
  (MESSAGE_KINDS as readonly unknown[]).includes(kind);

/**
 * A raw payload is passed through, so it is held to what the database can store
 * and to the Send API limits now, not first when it is rendered.
 */
function rawPayload(c: Composer, payload: unknown, field: string): SendApiMessage | undefined {
  if (!isJsonObject(payload)) return c.fail(field, 'must be a Send API message object');
  // Depth first: every later check walks the payload.
  if (nestsDeeperThan(payload, RAW_MAX_DEPTH))
    return c.fail(field, `must not be nested deeper than ${RAW_MAX_DEPTH} levels`);
  const unstorable = unstorableKey(payload, field);
  if (unstorable)
    return c.fail(
      unstorable,
      'is not an allowed key: MongoDB cannot store keys that start with $ or contain a dot',
    );
  if (Buffer.byteLength(JSON.stringify(payload)) > RAW_MAX_BYTES)
    return c.fail(field, `must be at most ${RAW_MAX_BYTES} bytes of JSON`);
  const problem = messageLimitProblem(withTemplatesAsText(payload));
  if (problem) return c.fail(fieldAt(field, problem.path), limitReason(problem));
  return payload;
}

/** Whether `value` nests objects or arrays deeper than `max` levels, looking no deeper. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max === 0) return true;
  return Object.values(value).some((item) => nestsDeeperThan(item, max - 1));
}

/** The path of the first key starting with `$` or holding a dot. */
function unstorableKey(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const path = Array.isArray(value) ? `${field}[${key}]` : `${field}.${key}`;
    if (!Array.isArray(value) && (key.startsWith('$') || key.includes('.'))) return path;
    const nested = unstorableKey(item, path);
    if (nested) return nested;
  }
  return undefined;
}

/** A template's length is known once rendered (personalisation checks it then): one character stands in for it. */
function withTemplatesAsText(value: unknown): unknown {
  if (typeof value === 'string') return HAS_LIQUID.test(value) ? 'x' : value;
  if (Array.isArray(value)) return value.map(withTemplatesAsText);
  if (isJsonObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, withTemplatesAsText(item)]),
    );
  return value;
}

const fieldAt = (field: string, path: LimitProblem['path']): string =>
  path.reduce<string>(
    (at, part) => (typeof part === 'number' ? `${at}[${part}]` : `${at}.${part}`),
    field,
  );

function limitReason(problem: LimitProblem): string {
  switch (problem.kind) {
    case 'too_long':
      return `must be at most ${problem.max} characters`;
    case 'too_many':
      return `must hold at most ${problem.max} items`;
    case 'invalid':
      return problem.expected;
  }
}

function genericElement(c: Composer, element: unknown, field: string): Json {
  if (!isJsonObject(element))
    return (
      c.fail(field, 'must be {title, subtitle?, imageUrl?, defaultActionUrl?, buttons?}') ?? {}
    );
  c.onlyFields(element, ELEMENT_FIELDS, field);
  const title = c.text(element.title, `${field}.title`, LIMITS.elementTitle);
  const subtitle = c.text(element.subtitle, `${field}.subtitle`, LIMITS.elementTitle, false);
  const imageUrl =
    element.imageUrl === undefined ? undefined : c.url(element.imageUrl, `${field}.imageUrl`);
  const defaultUrl =
    element.defaultActionUrl === undefined
      ? undefined
      : c.url(element.defaultActionUrl, `${field}.defaultActionUrl`);
  const buttons = c.buttons(element.buttons, `${field}.buttons`, 0);
  // Facebook refuses a title alone (100/2018035); a field given but invalid has its own problem.
  const alone =
    element.subtitle === undefined &&
    element.imageUrl === undefined &&
    !(Array.isArray(element.buttons) && element.buttons.length > 0);
  if (alone) c.fail(field, 'needs a subtitle, imageUrl or buttons besides its title');
  return {
    title,
    ...(subtitle ? { subtitle } : {}),
    ...(imageUrl ? { image_url: imageUrl } : {}),
    ...(defaultUrl ? { default_action: { type: 'web_url', url: defaultUrl } } : {}),
    ...(buttons?.length ? { buttons } : {}),
  };
}

/** Audio and video are capped at 10 messages/s per Page (SPEC §4). */
export function isAudioOrVideo(input: unknown): boolean {
  if (!isJsonObject(input)) return false;
  const type =
    input.kind === 'attachment'
      ? input.attachmentType
      : input.kind === 'media'
        ? input.mediaType
        : undefined;
  return type === 'audio' || type === 'video';
}
