import { composeMessage } from '../campaigns/message-composer';
import { problemsOf } from '../../test/harness/problems';
import { checkSendRequest } from '../sandbox/send-api-rules';
import {
  facebookWording,
  messageLimitProblem,
  SEND_API_LIMITS,
  type LimitProblem,
} from './send-api-limits';

const template = (payload: object) => ({ attachment: { type: 'template', payload } });
const titled = (count: number, title = 't') =>
  Array.from({ length: count }, () => ({ type: 'postback', title, payload: 'p' }));

describe('messageLimitProblem: each limit, typed, with its path', () => {
  it.each<[string, unknown, LimitProblem]>([
    [
      'text',
      { text: 'x'.repeat(2001) },
      { path: ['text'], kind: 'too_long', max: SEND_API_LIMITS.text },
    ],
    [
      'quick replies',
      {
        text: 'a',
        quick_replies: Array.from({ length: 14 }, () => ({
          content_type: 'text',
          title: 't',
          payload: 'p',
        })),
      },
      { path: ['quick_replies'], kind: 'too_many', max: 13 },
    ],
    [
      'a quick-reply payload',
      {
        text: 'a',
        quick_replies: [{ content_type: 'text', title: 't', payload: 'p'.repeat(1001) }],
      },
      { path: ['quick_replies', 0, 'payload'], kind: 'too_long', max: 1000 },
    ],
    [
      'a button template text',
      template({ template_type: 'button', text: 'x'.repeat(641), buttons: titled(1) }),
      { path: ['attachment', 'payload', 'text'], kind: 'too_long', max: 640 },
    ],
    [
      'a postback payload',
      template({
        template_type: 'button',
        text: 't',
        buttons: [{ type: 'postback', title: 'b', payload: 'p'.repeat(1001) }],
      }),
      { path: ['attachment', 'payload', 'buttons', 0, 'payload'], kind: 'too_long', max: 1000 },
    ],
    [
      'an element subtitle',
      template({ template_type: 'generic', elements: [{ title: 't', subtitle: 'x'.repeat(81) }] }),
      { path: ['attachment', 'payload', 'elements', 0, 'subtitle'], kind: 'too_long', max: 80 },
    ],
    [
      "an element's buttons",
      template({ template_type: 'generic', elements: [{ title: 't', buttons: titled(4) }] }),
      { path: ['attachment', 'payload', 'elements', 0, 'buttons'], kind: 'too_many', max: 3 },
    ],
    [
      'an OTN payload',
      template({ template_type: 'one_time_notif_req', title: 't', payload: 'p'.repeat(1001) }),
      { path: ['attachment', 'payload', 'payload'], kind: 'too_long', max: 1000 },
    ],
    [
      'a message of neither kind',
      { metadata: 'x' },
      {
        path: [],
        kind: 'invalid',
        expected: 'must have exactly one of text, attachment or sticker_id',
        facebook: {
          code: 100,
          subcode: 2018034,
          words: 'Message cannot be empty, must provide valid attachment or text',
        },
      },
    ],
  ])('%s', (_name, message, problem) => {
    expect(messageLimitProblem(message)).toEqual(problem);
  });

  it.each<[LimitProblem, string]>([
    [
      { path: ['text'], kind: 'too_long', max: 2000 },
      'Length of param message[text] must be less than or equal to 2000',
    ],
    [
      { path: ['quick_replies'], kind: 'too_many', max: 13 },
      'param message[quick_replies] must have at most 13 items',
    ],
    [
      { path: ['attachment', 'payload'], kind: 'invalid', expected: 'is required' },
      'param message[attachment][payload] is required',
    ],
  ])('words %j as Facebook does', (problem, wording) => {
    expect(facebookWording(problem)).toBe(wording);
  });
});

describe('one limit, the same for the composer and the sandbox', () => {
  const send = (message: unknown) =>
    checkSendRequest({ recipient: { id: '1' }, messaging_type: 'UPDATE', message }, []);
  const saves = (input: unknown) => {
    try {
      composeMessage(input);
      return true;
    } catch {
      return false;
    }
  };

  it.each<[string, number, (size: number) => unknown, (size: number) => unknown]>([
    [
      'text',
      SEND_API_LIMITS.text,
      (size) => ({ kind: 'text', text: 'x'.repeat(size) }),
      (size) => ({ text: 'x'.repeat(size) }),
    ],
    [
      'quickReplies',
      SEND_API_LIMITS.quickReplies,
      (size) => ({
        kind: 'text',
        text: 'a',
        quickReplies: Array.from({ length: size }, (_, i) => `Q${i}`),
      }),
      (size) => ({
        text: 'a',
        quick_replies: Array.from({ length: size }, (_, i) => ({
          content_type: 'text',
          title: `Q${i}`,
          payload: 'p',
        })),
      }),
    ],
    [
      'title',
      SEND_API_LIMITS.title,
      (size) => ({
        kind: 'buttons',
        text: 't',
        buttons: [{ title: 'x'.repeat(size), value: 'P' }],
      }),
      (size) =>
        template({ template_type: 'button', text: 't', buttons: titled(1, 'x'.repeat(size)) }),
    ],
    [
      'buttonTemplateText',
      SEND_API_LIMITS.buttonTemplateText,
      (size) => ({
        kind: 'buttons',
        text: 'x'.repeat(size),
        buttons: [{ title: 'a', value: 'P' }],
      }),
      (size) => template({ template_type: 'button', text: 'x'.repeat(size), buttons: titled(1) }),
    ],
    [
      'buttons',
      SEND_API_LIMITS.buttons,
      (size) => ({
        kind: 'buttons',
        text: 't',
        buttons: Array.from({ length: size }, () => ({ title: 'a', value: 'P' })),
      }),
      (size) => template({ template_type: 'button', text: 't', buttons: titled(size) }),
    ],
    [
      'elements',
      SEND_API_LIMITS.elements,
      (size) => ({
        kind: 'generic',
        elements: Array.from({ length: size }, () => ({ title: 't', subtitle: 's' })),
      }),
      (size) =>
        template({
          template_type: 'generic',
          elements: Array.from({ length: size }, () => ({ title: 't', subtitle: 's' })),
        }),
    ],
    [
      'elementTitle',
      SEND_API_LIMITS.elementTitle,
      (size) => ({ kind: 'generic', elements: [{ title: 'x'.repeat(size), subtitle: 's' }] }),
      (size) =>
        template({
          template_type: 'generic',
          elements: [{ title: 'x'.repeat(size), subtitle: 's' }],
        }),
    ],
    [
      'otnTitle',
      SEND_API_LIMITS.otnTitle,
      (size) => ({ kind: 'otn_request', title: 'x'.repeat(size), payload: 'p' }),
      (size) =>
        template({ template_type: 'one_time_notif_req', title: 'x'.repeat(size), payload: 'p' }),
    ],
    [
      'payload',
      SEND_API_LIMITS.payload,
      (size) => ({ kind: 'otn_request', title: 't', payload: 'p'.repeat(size) }),
      (size) =>
        template({ template_type: 'one_time_notif_req', title: 't', payload: 'p'.repeat(size) }),
    ],
  ])('%s: both accept the limit and refuse one more', (_name, limit, input, message) => {
    expect([saves(input(limit)), send(message(limit))]).toEqual([true, undefined]);
    expect([saves(input(limit + 1)), send(message(limit + 1))?.code]).toEqual([false, 100]);
  });
});

describe('the composer and the sandbox agree on every message', () => {
  const send = (message: unknown) =>
    checkSendRequest({ recipient: { id: '1' }, messaging_type: 'UPDATE', message }, []);
  const button = (fields: object) =>
    template({ template_type: 'button', text: 't', buttons: [fields] });
  const media = (element: object) => template({ template_type: 'media', elements: [element] });
  const receipt = {
    template_type: 'receipt',
    recipient_name: 'Stephane Crozatier',
    order_number: '12345678902',
    currency: 'USD',
    payment_method: 'Visa 2345',
    summary: { total_cost: 56.14 },
  };

  it.each<[string, unknown]>([
    [
      'text with every quick-reply form',
      {
        kind: 'text',
        text: 'Hi',
        quickReplies: [
          'Shop',
          'user_email',
          'user_phone_number',
          'Later [https://x.io/l.png]',
          { title: 'Yes', payload: 'YES' },
        ],
      },
    ],
    [
      'an attachment by URL',
      { kind: 'attachment', attachmentType: 'image', url: 'https://x.io/a.png' },
    ],
    [
      'an attachment by id',
      { kind: 'attachment', attachmentType: 'file', attachmentId: '1857777774821032' },
    ],
    [
      'buttons of every form',
      {
        kind: 'buttons',
        text: 'Pick',
        buttons: [
          { title: 'Visit', value: 'https://acme.example' },
          { title: 'Call', value: 'phone_number:+15551234567' },
          { title: 'Yes', value: 'YES' },
        ],
      },
    ],
    [
      'log-in and log-out buttons',
      {
        kind: 'buttons',
        text: 'Account',
        buttons: [
          { title: 'Log in', value: 'account_link:https://acme.example/login' },
          { title: 'Log out', value: 'account_unlink' },
        ],
      },
    ],
    [
      'generic elements',
      {
        kind: 'generic',
        elements: [
          { title: 'Tent', subtitle: '2 people' },
          { title: 'Stove', imageUrl: 'https://x.io/s.jpg', defaultActionUrl: 'https://x.io/s' },
          { title: 'Lamp', buttons: [{ title: 'Buy', value: 'BUY_LAMP' }] },
        ],
      },
    ],
    [
      'media from a Facebook URL with a button',
      {
        kind: 'media',
        mediaType: 'video',
        url: 'https://www.facebook.com/acme/videos/1234',
        button: { title: 'Shop', value: 'https://acme.example' },
      },
    ],
    ['media by attachment id', { kind: 'media', mediaType: 'image', attachmentId: '123' }],
    [
      'a one-time-notification request',
      { kind: 'otn_request', title: 'Back in stock?', payload: 'restock' },
    ],
    ['a raw receipt', { kind: 'raw', payload: template(receipt) }],
    ['a raw sticker', { kind: 'raw', payload: { sticker_id: 369239263222822 } }],
    [
      'a raw numeric quick-reply payload',
      {
        kind: 'raw',
        payload: { text: 'Hi', quick_replies: [{ content_type: 'text', title: '1', payload: 1 }] },
      },
    ],
  ])('the sandbox accepts what the composer makes of %s', (_name, input) => {
    expect(send(composeMessage(input))).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['keys the Send API does not take', { text: 'Hi', reply_to: { mid: 'm_1' } }, ''],
    ['no content', { metadata: 'x' }, ''],
    ['empty quick replies', { text: 'Hi', quick_replies: [] }, '.quick_replies'],
    [
      'a quick reply without payload',
      { text: 'Hi', quick_replies: [{ content_type: 'text', title: 'A' }] },
      '.quick_replies[0].payload',
    ],
    [
      'a postback button without payload',
      button({ type: 'postback', title: 'Yes' }),
      '.attachment.payload.buttons[0].payload',
    ],
    [
      'a URL button without url',
      button({ type: 'web_url', title: 'Go' }),
      '.attachment.payload.buttons[0].url',
    ],
    [
      'a button of an unknown type',
      button({ type: 'open_app', title: 'Go' }),
      '.attachment.payload.buttons[0].type',
    ],
    [
      'a log-in button to a plain-HTTP page',
      button({ type: 'account_link', url: 'http://acme.example/login' }),
      '.attachment.payload.buttons[0].url',
    ],
    [
      'an empty button list',
      template({ template_type: 'button', text: 't', buttons: [] }),
      '.attachment.payload.buttons',
    ],
    [
      "an element's empty button list",
      template({
        template_type: 'generic',
        elements: [{ title: 'T', subtitle: 's', buttons: [] }],
      }),
      '.attachment.payload.elements[0].buttons',
    ],
    [
      'an element with only a title',
      template({ template_type: 'generic', elements: [{ title: 'T' }] }),
      '.attachment.payload.elements[0]',
    ],
    [
      'a media template of two elements',
      template({
        template_type: 'media',
        elements: [
          { media_type: 'image', attachment_id: '1' },
          { media_type: 'image', attachment_id: '2' },
        ],
      }),
      '.attachment.payload.elements',
    ],
    [
      'a media template of audio',
      media({ media_type: 'audio', attachment_id: '1' }),
      '.attachment.payload.elements[0].media_type',
    ],
    [
      'a media template from another site',
      media({ media_type: 'image', url: 'https://example.com/a.jpg' }),
      '.attachment.payload.elements[0].url',
    ],
    [
      'a media template with two buttons',
      media({
        media_type: 'image',
        attachment_id: '1',
        buttons: [
          { type: 'postback', title: 'a', payload: 'A' },
          { type: 'postback', title: 'b', payload: 'B' },
        ],
      }),
      '.attachment.payload.elements[0].buttons',
    ],
    [
      'a receipt without an order number',
      template({ ...receipt, order_number: undefined }),
      '.attachment.payload.order_number',
    ],
    [
      'an unsupported template',
      template({ template_type: 'list', elements: [] }),
      '.attachment.payload.template_type',
    ],
  ])('the composer refuses at save what the sandbox refuses: %s', (_name, payload, path) => {
    expect(send(payload)).toMatchObject({ code: expect.any(Number) });
    expect(problemsOf(() => composeMessage({ kind: 'raw', payload }))).toEqual([
      { field: `message.payload${path}`, reason: expect.any(String) },
    ]);
  });
});
