/**
 * The message composer (SPEC §2): a campaign's message, in the marketer's terms,
 * compiled by pure functions to a Send API `message` object. Every limit is
 * checked on the way, and a problem names its field (`message.quickReplies[2]`).
 * Strings may hold Liquid; they are rendered per user later, on each string.
 */
import { isJsonObject } from '../common/json';
import { FieldProblems, type ErrorDetail } from '../common/api-error';
import { length } from '../messenger/send-api-limits';
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
const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'];
const MEDIA_TYPES = ['image', 'video'];
/** JSON size cap of a raw payload. */
export const RAW_MAX_BYTES = 64 * 1024;
export const HAS_LIQUID = /\{\{|\{%/;
const URL_PATTERN = /^https?:\/\/[^\s]+$/i;
/** The media template takes only Facebook-hosted media (or an uploaded attachment id). */
const FACEBOOK_URL = /^https:\/\/(www\.|business\.|m\.)?facebook\.com\/[^\s]+$/i;

export class MessageError extends FieldProblems {}

type Json = Record<string, unknown>;

class Composer {
  readonly problems: ErrorDetail[] = [];

  fail(field: string, reason: string): undefined {
    this.problems.push({ field, reason });
    return undefined;
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
    if (value.length > 13) return this.fail(field, 'at most 13 quick replies');
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
      const title = this.text(withImage ? withImage[1] : label, field, 20);
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
    const title = this.text(value.title, `${field}.title`, 20);
    const payload = this.text(value.payload ?? value.title, `${field}.payload`, 1000);
    const imageUrl =
      value.imageUrl === undefined ? undefined : this.url(value.imageUrl, `${field}.imageUrl`);
    if (!title || !payload) return undefined;
    return { content_type: 'text', title, payload, ...(imageUrl ? { image_url: imageUrl } : {}) };
  }

  buttons(value: unknown, field: string, min: number): Json[] | undefined {
    if (value === undefined && min === 0) return undefined;
    if (!Array.isArray(value) || value.length < min || value.length > 3) {
      return this.fail(field, min > 0 ? 'must hold 1 to 3 buttons' : 'at most 3 buttons');
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
    const raw = typeof value.value === 'string' ? value.value.trim() : undefined;
    if (raw === 'account_unlink' || value.title === 'account_unlink')
      return { type: 'account_unlink' };
    const title = this.text(value.title, `${field}.title`, 20);
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
    if (raw.startsWith('account_link:')) {
      const url = this.url(raw.slice('account_link:'.length), `${field}.value`);
      return url ? { type: 'account_link', url } : undefined;
    }
    if (length(raw) > 1000)
      return this.fail(`${field}.value`, 'a postback payload is at most 1000 characters');
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
  switch (input.kind) {
    case 'text': {
      const text = c.text(input.text, at('text'), 2000);
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
      const text = c.text(input.text, at('text'), 640);
      const buttons = c.buttons(input.buttons, at('buttons'), 1);
      return text && buttons ? template({ template_type: 'button', text, buttons }) : undefined;
    }
    case 'generic': {
      const elements = input.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10)
        return c.fail(at('elements'), 'must hold 1 to 10 elements');
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
      const title = c.text(input.title, at('title'), 65);
      const payload = c.text(input.payload, at('payload'), 1000);
      return title && payload
        ? template({ template_type: 'one_time_notif_req', title, payload })
        : undefined;
    }
    case 'raw': {
      if (!isJsonObject(input.payload))
        return c.fail(at('payload'), 'must be a Send API message object');
      if (Buffer.byteLength(JSON.stringify(input.payload)) > RAW_MAX_BYTES)
        return c.fail(at('payload'), `must be at most ${RAW_MAX_BYTES} bytes of JSON`);
      return input.payload;
    }
    default:
      return c.fail(at('kind'), `must be one of ${MESSAGE_KINDS.join(', ')}`);
  }
}

function genericElement(c: Composer, element: unknown, field: string): Json {
  if (!isJsonObject(element))
    return (
      c.fail(field, 'must be {title, subtitle?, imageUrl?, defaultActionUrl?, buttons?}') ?? {}
    );
  const title = c.text(element.title, `${field}.title`, 80);
  const subtitle = c.text(element.subtitle, `${field}.subtitle`, 80, false);
  const imageUrl =
    element.imageUrl === undefined ? undefined : c.url(element.imageUrl, `${field}.imageUrl`);
  const defaultUrl =
    element.defaultActionUrl === undefined
      ? undefined
      : c.url(element.defaultActionUrl, `${field}.defaultActionUrl`);
  const buttons = c.buttons(element.buttons, `${field}.buttons`, 0);
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
