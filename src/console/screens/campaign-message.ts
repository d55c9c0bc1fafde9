/**
 * The message editor's model: one draft that keeps every kind's fields (switching
 * kinds loses nothing), read from and written to the composer's input
 * (src/campaigns/message-composer.ts), and compiled to a Send API message for the
 * preview drawn while typing (Liquid is shown as written; the API renders it per user).
 */
import { SEND_API_LIMITS } from '../../messenger/send-api-limits';

export const LIMITS = SEND_API_LIMITS;

export const MESSAGE_KINDS = [
  { value: 'text', label: 'Text (with quick replies)' },
  { value: 'buttons', label: 'Text with buttons' },
  { value: 'generic', label: 'Carousel of cards' },
  { value: 'attachment', label: 'Image, video, audio or file' },
  { value: 'media', label: 'Facebook photo or video (media template)' },
  { value: 'otn_request', label: 'One-time notification request' },
  { value: 'raw', label: 'Raw Send API message (JSON)' },
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number]['value'];

export type QuickReplyType = 'text' | 'user_email' | 'user_phone_number';
export interface QuickReplyDraft {
  type: QuickReplyType;
  title: string;
  /** Empty: the title is the payload. */
  payload: string;
  imageUrl: string;
}

export type ButtonType =
  | 'web_url'
  | 'postback'
  | 'phone_number'
  | 'account_link'
  | 'account_unlink';
export const BUTTON_TYPES: { value: ButtonType; label: string; valueLabel?: string }[] = [
  { value: 'web_url', label: 'Open a web page', valueLabel: 'Web address (URL)' },
  { value: 'postback', label: 'Reply to the Page (postback)', valueLabel: 'Payload sent back' },
  { value: 'phone_number', label: 'Call a number', valueLabel: 'Phone number (+15551234567)' },
  { value: 'account_link', label: 'Log in (account linking)', valueLabel: 'Log-in URL (https)' },
  { value: 'account_unlink', label: 'Log out (account unlinking)' },
];
export interface ButtonDraft {
  type: ButtonType;
  title: string;
  value: string;
}

export interface ElementDraft {
  title: string;
  subtitle: string;
  imageUrl: string;
  defaultActionUrl: string;
  buttons: ButtonDraft[];
}

export interface MessageDraft {
  kind: MessageKind;
  /** text, and the text of a button template */
  text: string;
  quickReplies: QuickReplyDraft[];
  attachmentType: 'image' | 'video' | 'audio' | 'file';
  /** attachment and media: a URL or an uploaded attachment id */
  source: 'url' | 'attachmentId';
  url: string;
  attachmentId: string;
  reusable: boolean;
  buttons: ButtonDraft[];
  elements: ElementDraft[];
  mediaType: 'image' | 'video';
  mediaUrl: string;
  mediaButton: ButtonDraft | null;
  /** otn_request */
  title: string;
  payload: string;
  /** raw: the JSON as typed */
  raw: string;
}

export const emptyButton = (): ButtonDraft => ({ type: 'web_url', title: '', value: '' });
export const emptyElement = (): ElementDraft => ({
  title: '',
  subtitle: '',
  imageUrl: '',
  defaultActionUrl: '',
  buttons: [],
});
export const emptyQuickReply = (): QuickReplyDraft => ({
  type: 'text',
  title: '',
  payload: '',
  imageUrl: '',
});

export function newMessageDraft(): MessageDraft {
  return {
    kind: 'text',
    text: 'Hi {{ user.firstName | default: "there" }}, ',
    quickReplies: [],
    attachmentType: 'image',
    source: 'url',
    url: '',
    attachmentId: '',
    reusable: true,
    buttons: [emptyButton()],
    elements: [emptyElement()],
    mediaType: 'image',
    mediaUrl: '',
    mediaButton: null,
    title: '',
    payload: '',
    raw: '{\n  "text": "Hello"\n}',
  };
}

/** Characters as Facebook counts them: code points, so an emoji counts once. */
export const charCount = (value: string): number => [...value].length;

const URL_PATTERN = /^https?:\/\/[^\s]+$/i;
const str = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function quickReplyFromApi(value: unknown): QuickReplyDraft {
  if (typeof value === 'string') {
    const label = value.trim();
    if (label === 'user_email' || label === 'user_phone_number')
      return { ...emptyQuickReply(), type: label };
    const withImage = /^(.*\S)\s*\[(https?:\/\/[^\]\s]+)\]$/.exec(label);
    return withImage
      ? { ...emptyQuickReply(), title: withImage[1], imageUrl: withImage[2] }
      : { ...emptyQuickReply(), title: value };
  }
  if (!isObject(value)) return emptyQuickReply();
  const title = str(value.title);
  const payload = str(value.payload);
  return {
    type: 'text',
    title,
    payload: payload === title ? '' : payload,
    imageUrl: str(value.imageUrl),
  };
}

function quickReplyToApi(reply: QuickReplyDraft): unknown {
  if (reply.type !== 'text') return reply.type;
  if (!reply.payload && !reply.imageUrl) return reply.title;
  return {
    title: reply.title,
    ...(reply.payload ? { payload: reply.payload } : {}),
    ...(reply.imageUrl ? { imageUrl: reply.imageUrl } : {}),
  };
}

export function buttonFromApi(value: unknown): ButtonDraft {
  if (!isObject(value)) return emptyButton();
  const title = str(value.title);
  const raw = str(value.value).trim();
  if (raw === 'account_unlink' || title === 'account_unlink')
    return { type: 'account_unlink', title: '', value: '' };
  if (raw.startsWith('phone_number:'))
    return { type: 'phone_number', title, value: raw.slice('phone_number:'.length) };
  if (raw.startsWith('account_link:'))
    return { type: 'account_link', title, value: raw.slice('account_link:'.length) };
  if (URL_PATTERN.test(raw)) return { type: 'web_url', title, value: raw };
  return { type: 'postback', title, value: raw };
}

export function buttonToApi(button: ButtonDraft): { title: string; value: string } {
  switch (button.type) {
    case 'account_unlink':
      return { title: button.title || 'Log out', value: 'account_unlink' };
    case 'phone_number':
      return { title: button.title, value: `phone_number:${button.value.trim()}` };
    case 'account_link':
      return { title: button.title, value: `account_link:${button.value.trim()}` };
    default:
      return { title: button.title, value: button.value };
  }
}

function elementFromApi(value: unknown): ElementDraft {
  if (!isObject(value)) return emptyElement();
  return {
    title: str(value.title),
    subtitle: str(value.subtitle),
    imageUrl: str(value.imageUrl),
    defaultActionUrl: str(value.defaultActionUrl),
    buttons: Array.isArray(value.buttons) ? value.buttons.map(buttonFromApi) : [],
  };
}

function elementToApi(element: ElementDraft): Record<string, unknown> {
  return {
    title: element.title,
    ...(element.subtitle ? { subtitle: element.subtitle } : {}),
    ...(element.imageUrl ? { imageUrl: element.imageUrl } : {}),
    ...(element.defaultActionUrl ? { defaultActionUrl: element.defaultActionUrl } : {}),
    ...(element.buttons.length > 0 ? { buttons: element.buttons.map(buttonToApi) } : {}),
  };
}

/** The editor's draft of a stored message; a kind it does not know opens as raw JSON. */
export function messageFromApi(message: Record<string, unknown>): MessageDraft {
  const draft = newMessageDraft();
  const kind = MESSAGE_KINDS.some((k) => k.value === message.kind)
    ? (message.kind as MessageKind)
    : 'raw';
  draft.kind = kind;
  draft.text = kind === 'text' || kind === 'buttons' ? str(message.text) : draft.text;
  if (Array.isArray(message.quickReplies))
    draft.quickReplies = message.quickReplies.map(quickReplyFromApi);
  switch (kind) {
    case 'attachment':
      draft.attachmentType =
        message.attachmentType === 'video' ||
        message.attachmentType === 'audio' ||
        message.attachmentType === 'file'
          ? message.attachmentType
          : 'image';
      draft.source = message.attachmentId !== undefined ? 'attachmentId' : 'url';
      draft.url = str(message.url);
      draft.attachmentId = str(message.attachmentId);
      draft.reusable = message.reusable !== false;
      break;
    case 'buttons':
      draft.buttons = Array.isArray(message.buttons) ? message.buttons.map(buttonFromApi) : [];
      break;
    case 'generic':
      draft.elements = Array.isArray(message.elements)
        ? message.elements.map(elementFromApi)
        : [emptyElement()];
      break;
    case 'media':
      draft.mediaType = message.mediaType === 'video' ? 'video' : 'image';
      draft.source = message.attachmentId !== undefined ? 'attachmentId' : 'url';
      draft.mediaUrl = str(message.url);
      draft.attachmentId = str(message.attachmentId);
      draft.mediaButton = message.button === undefined ? null : buttonFromApi(message.button);
      break;
    case 'otn_request':
      draft.title = str(message.title);
      draft.payload = str(message.payload);
      break;
    case 'raw':
      draft.raw = JSON.stringify(message.kind === 'raw' ? message.payload : message, null, 2);
      break;
  }
  return draft;
}

/** Whether the raw JSON parses, and its value or the parser's words. */
export function parseRaw(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The composer's input for the draft's kind, with only that kind's fields. */
export function messageToApi(draft: MessageDraft): Record<string, unknown> {
  const quickReplies =
    draft.quickReplies.length > 0 ? { quickReplies: draft.quickReplies.map(quickReplyToApi) } : {};
  switch (draft.kind) {
    case 'text':
      return { kind: 'text', text: draft.text, ...quickReplies };
    case 'attachment':
      return {
        kind: 'attachment',
        attachmentType: draft.attachmentType,
        ...(draft.source === 'url'
          ? { url: draft.url, ...(draft.reusable ? {} : { reusable: false }) }
          : { attachmentId: draft.attachmentId }),
        ...quickReplies,
      };
    case 'buttons':
      return { kind: 'buttons', text: draft.text, buttons: draft.buttons.map(buttonToApi) };
    case 'generic':
      return { kind: 'generic', elements: draft.elements.map(elementToApi) };
    case 'media':
      return {
        kind: 'media',
        mediaType: draft.mediaType,
        ...(draft.source === 'url'
          ? { url: draft.mediaUrl }
          : { attachmentId: draft.attachmentId }),
        ...(draft.mediaButton ? { button: buttonToApi(draft.mediaButton) } : {}),
      };
    case 'otn_request':
      return { kind: 'otn_request', title: draft.title, payload: draft.payload };
    case 'raw': {
      const parsed = parseRaw(draft.raw);
      // Unparsable JSON goes as typed: the API names message.payload, beside the field.
      return { kind: 'raw', payload: parsed.ok ? parsed.value : draft.raw };
    }
  }
}

function sendButton(button: ButtonDraft): Record<string, unknown> {
  switch (button.type) {
    case 'web_url':
      return { type: 'web_url', title: button.title, url: button.value };
    case 'postback':
      return { type: 'postback', title: button.title, payload: button.value };
    case 'phone_number':
      return { type: 'phone_number', title: button.title, payload: button.value };
    case 'account_link':
      return { type: 'account_link', url: button.value };
    case 'account_unlink':
      return { type: 'account_unlink' };
  }
}

const template = (payload: Record<string, unknown>) => ({
  attachment: { type: 'template', payload },
});

/**
 * The Send API message the draft compiles to, as the composer compiles it, for
 * the preview drawn while typing. No check here: the API checks on save.
 */
export function compileDraft(draft: MessageDraft): Record<string, unknown> {
  const quickReplies = draft.quickReplies.map((reply) =>
    reply.type === 'text'
      ? {
          content_type: 'text',
          title: reply.title,
          payload: reply.payload || reply.title,
          ...(reply.imageUrl ? { image_url: reply.imageUrl } : {}),
        }
      : { content_type: reply.type },
  );
  const withReplies = quickReplies.length > 0 ? { quick_replies: quickReplies } : {};
  switch (draft.kind) {
    case 'text':
      return { text: draft.text, ...withReplies };
    case 'attachment':
      return {
        attachment: {
          type: draft.attachmentType,
          payload:
            draft.source === 'url' ? { url: draft.url } : { attachment_id: draft.attachmentId },
        },
        ...withReplies,
      };
    case 'buttons':
      return template({
        template_type: 'button',
        text: draft.text,
        buttons: draft.buttons.map(sendButton),
      });
    case 'generic':
      return template({
        template_type: 'generic',
        elements: draft.elements.map((element) => ({
          title: element.title,
          ...(element.subtitle ? { subtitle: element.subtitle } : {}),
          ...(element.imageUrl ? { image_url: element.imageUrl } : {}),
          ...(element.buttons.length > 0 ? { buttons: element.buttons.map(sendButton) } : {}),
        })),
      });
    case 'media':
      return template({
        template_type: 'media',
        elements: [
          {
            media_type: draft.mediaType,
            ...(draft.source === 'url'
              ? { url: draft.mediaUrl }
              : { attachment_id: draft.attachmentId }),
            ...(draft.mediaButton ? { buttons: [sendButton(draft.mediaButton)] } : {}),
          },
        ],
      });
    case 'otn_request':
      return template({
        template_type: 'one_time_notif_req',
        title: draft.title,
        payload: draft.payload,
      });
    case 'raw': {
      const parsed = parseRaw(draft.raw);
      return parsed.ok && isObject(parsed.value) ? parsed.value : {};
    }
  }
}

/**
 * The API fields (SPEC §9 `details`) the editor shows beside a control for this
 * kind; any other `message…` reason is listed under the editor.
 */
export function shownMessageField(kind: MessageKind, field: string): boolean {
  const patterns: Record<MessageKind, RegExp[]> = {
    text: [/^message(\.kind|\.text)?$/, /^message\.quickReplies(\[\d+\].*)?$/],
    attachment: [
      /^message(\.kind|\.attachmentType|\.url|\.attachmentId|\.reusable)?$/,
      /^message\.quickReplies(\[\d+\].*)?$/,
    ],
    buttons: [/^message(\.kind|\.text)?$/, /^message\.buttons(\[\d+\].*)?$/],
    generic: [/^message(\.kind)?$/, /^message\.elements(\[\d+\].*)?$/],
    media: [/^message(\.kind|\.mediaType|\.url|\.attachmentId)?$/, /^message\.button(\..*)?$/],
    otn_request: [/^message(\.kind|\.title|\.payload)?$/],
    raw: [/^message(\.kind)?$/, /^message\.payload.*$/],
  };
  return patterns[kind].some((pattern) => pattern.test(field));
}

/** The Liquid placeholders a marketer can insert, with the built-in fields first. */
export const BUILT_IN_FIELDS: { path: string; label: string }[] = [
  { path: 'user.firstName', label: 'First name' },
  { path: 'user.lastName', label: 'Last name' },
  { path: 'user.locale', label: 'Locale' },
  { path: 'user.timezone', label: 'Timezone' },
  { path: 'user.psid', label: 'PSID' },
  { path: 'campaign.name', label: 'Campaign name' },
];

/** A Liquid attribute path: `user.attributes.city`, or the bracket form for names with other characters. */
export function attributePath(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? `user.attributes.${name}`
    : `user.attributes[${JSON.stringify(name)}]`;
}

/** `{{ path }}`, or `{{ path | default: "fallback" }}` when a fallback is given. */
export function placeholder(path: string, fallback: string): string {
  return fallback ? `{{ ${path} | default: ${JSON.stringify(fallback)} }}` : `{{ ${path} }}`;
}

/**
 * A Liquid problem is named on the compiled Send API message
 * (`message.attachment.payload.elements[0].title`); the editor's field for it
 * (`message.elements[0].title`). Other fields pass unchanged.
 */
export function editorField(kind: MessageKind, field: string): string {
  const value = (rest: string) => rest.replace(/\.(url|payload)$/, '.value');
  const button = (prefix: string, rest: string) =>
    `${prefix}${/\.title$/.test(rest) ? rest : value(rest)}`;
  let m: RegExpExecArray | null;
  if ((m = /^message\.quick_replies(\[\d+\])(.*)$/.exec(field)))
    return `message.quickReplies${m[1]}${m[2].replace(/^\.image_url$/, '.imageUrl')}`;
  if (kind === 'raw')
    return field.startsWith('message.payload')
      ? field
      : field.replace(/^message\./, 'message.payload.');
  const payload = /^message\.attachment\.payload(.*)$/.exec(field)?.[1];
  if (payload === undefined) return field;
  if (payload === '.url') return 'message.url';
  if (payload === '.text') return 'message.text';
  if (payload === '.title' || payload === '.payload') return `message${payload}`;
  if ((m = /^\.buttons(\[\d+\])(.*)$/.exec(payload))) return button(`message.buttons${m[1]}`, m[2]);
  if (kind === 'media') {
    if ((m = /^\.elements\[0\]\.buttons\[0\](.*)$/.exec(payload)))
      return button('message.button', m[1]);
    if (payload === '.elements[0].url') return 'message.url';
    return field;
  }
  if ((m = /^\.elements(\[\d+\])(.*)$/.exec(payload))) {
    const [, index, rest] = m;
    const buttonAt = /^\.buttons(\[\d+\])(.*)$/.exec(rest);
    if (buttonAt) return button(`message.elements${index}.buttons${buttonAt[1]}`, buttonAt[2]);
    const renamed: Record<string, string> = {
      '.image_url': '.imageUrl',
      '.default_action.url': '.defaultActionUrl',
    };
    return `message.elements${index}${renamed[rest] ?? rest}`;
  }
  return field;
}
