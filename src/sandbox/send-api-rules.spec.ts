import { checkSendRequest } from './send-api-rules';

const tags = ['HUMAN_AGENT'];
const body = (overrides: Record<string, unknown> = {}, message: unknown = { text: 'Hi' }) => ({
  recipient: { id: '6543210987654321' },
  messaging_type: 'UPDATE',
  message,
  ...overrides,
});
const quickReplies = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    content_type: 'text',
    title: `Q${index}`,
    payload: `P${index}`,
  }));

describe('checkSendRequest: what Facebook refuses', () => {
  it('accepts a well-formed text message', () => {
    expect(checkSendRequest(body(), tags)).toBeUndefined();
  });

  it.each([
    ['no recipient', { recipient: undefined }, undefined, /recipient is required/],
    ['a non-numeric PSID', { recipient: { id: 'abc' } }, undefined, /No matching user found/],
    ['no messaging_type', { messaging_type: undefined }, undefined, /messaging_type is required/],
    ['an unknown messaging_type', { messaging_type: 'PROMO' }, undefined, /must be one of/],
    ['MESSAGE_TAG without a tag', { messaging_type: 'MESSAGE_TAG' }, undefined, /tag is required/],
    [
      'a retired tag',
      { messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' },
      undefined,
      /no longer supported/,
    ],
    [
      'an unknown tag',
      { messaging_type: 'MESSAGE_TAG', tag: 'PROMO' },
      undefined,
      /tag must be one of/,
    ],
    ['text over 2000 characters', {}, { text: 'x'.repeat(2001) }, /less than or equal to 2000/],
    [
      'text and attachment together',
      {},
      { text: 'a', attachment: { type: 'image', payload: { url: 'https://x' } } },
      /exactly one of text, attachment or sticker_id/,
    ],
    ['14 quick replies', {}, { text: 'a', quick_replies: quickReplies(14) }, /at most 13/],
    [
      'a quick-reply title over 20',
      {},
      { text: 'a', quick_replies: [{ content_type: 'text', title: 'x'.repeat(21), payload: 'p' }] },
      /less than or equal to 20/,
    ],
    [
      '4 buttons',
      {},
      {
        attachment: {
          type: 'template',
          payload: { template_type: 'button', text: 't', buttons: quickReplies(4) },
        },
      },
      /at most 3/,
    ],
    [
      '11 generic elements',
      {},
      {
        attachment: {
          type: 'template',
          payload: { template_type: 'generic', elements: Array(11).fill({ title: 't' }) },
        },
      },
      /at most 10/,
    ],
    [
      'a postback payload over 1000 characters',
      {},
      {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 't',
            buttons: [{ type: 'postback', title: 'b', payload: 'p'.repeat(1001) }],
          },
        },
      },
      /buttons\]\[0\]\[payload\] must be less than or equal to 1000/,
    ],
    [
      'a one-time-notification payload over 1000 characters',
      {},
      {
        attachment: {
          type: 'template',
          payload: { template_type: 'one_time_notif_req', title: 't', payload: 'p'.repeat(1001) },
        },
      },
      /name_placeholder\[payload\] must be less than or equal to 1000/,
    ],
    [
      'an attachment with url and id',
      {},
      { attachment: { type: 'image', payload: { url: 'https://x', attachment_id: '1' } } },
      /exactly one of url or attachment_id/,
    ],
  ])('refuses %s with error 100', (_name, overrides, message, reason) => {
    const refusal = checkSendRequest(body(overrides, message ?? { text: 'Hi' }), tags);
    expect(refusal?.code).toBe(100);
    expect(refusal?.message).toMatch(reason);
  });

  it('gives subcode 2018001 for an unknown user', () => {
    expect(checkSendRequest(body({ recipient: { id: 'x' } }), tags)?.subcode).toBe(2018001);
  });

  it('accepts HUMAN_AGENT and 13 quick replies', () => {
    expect(
      checkSendRequest(body({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }), tags),
    ).toBeUndefined();
    expect(
      checkSendRequest(body({}, { text: 'a', quick_replies: quickReplies(13) }), tags),
    ).toBeUndefined();
  });
});

describe("checkSendRequest: Facebook's own answer, word for word", () => {
  const template = (payload: object) => ({ attachment: { type: 'template', payload } });
  const buttons = (...list: object[]) =>
    template({ template_type: 'button', text: 'Pick', buttons: list });
  const element = (fields: object) => template({ template_type: 'generic', elements: [fields] });
  const media = (fields: object, count = 1) =>
    template({ template_type: 'media', elements: Array(count).fill(fields) });
  const image = { media_type: 'image', attachment_id: '1857777774821032' };

  // Captured answers: Messageflow/send-as src/test/expected.ts (live Send API
  // fixtures), Meta's Common Error Codes page, botman/botman#753.
  it.each<
    [string, Record<string, unknown>, unknown, { code: number; subcode?: number; message: string }]
  >([
    [
      'a postback button without payload',
      {},
      buttons({ type: 'postback', title: 'Yes' }),
      {
        code: 100,
        subcode: 2018040,
        message: '(#100) Payload cannot be empty for postback type button',
      },
    ],
    [
      'a URL button without url',
      {},
      buttons({ type: 'web_url', title: 'Visit' }),
      {
        code: 100,
        subcode: 2018041,
        message: '(#100) Web url cannot be empty for url type button',
      },
    ],
    [
      'a button of an unknown type',
      {},
      buttons({ type: 'open_app', title: 'Open' }),
      {
        code: 100,
        message:
          '(#100) param name_placeholder[buttons][0][type] must be one of {web_url, postback, phone_number, account_link, account_unlink, game_play}',
      },
    ],
    [
      'unknown keys in message',
      {},
      { text: 'Hi', reply_to: { mid: 'm_1' }, typing: true },
      {
        code: 100,
        message: '(#100) Invalid keys "reply_to, typing" were found in param "message".',
      },
    ],
    [
      'an empty quick_replies array',
      {},
      { text: 'Hi', quick_replies: [] },
      { code: 194, message: '(#194) param message[quick_replies] has too few elements.' },
    ],
    [
      "an empty button template's buttons",
      {},
      buttons(),
      { code: 100, message: '(#100) param name_placeholder[buttons] must be non-empty.' },
    ],
    [
      "an empty generic element's buttons",
      {},
      element({ title: 'Tent', subtitle: '2 people', buttons: [] }),
      {
        code: 194,
        message: '(#194) param name_placeholder[elements][0][buttons] has too few elements.',
      },
    ],
    [
      'a generic element with only a title',
      {},
      element({ title: 'Tent' }),
      {
        code: 100,
        subcode: 2018035,
        message:
          '(#100) Incomplete element data: title and at least one other field (image url, subtitle or buttons) is required with non-empty value',
      },
    ],
    [
      'sender_action together with a message',
      { sender_action: 'typing_on' },
      { text: 'Hi' },
      {
        code: 100,
        subcode: 2018014,
        message: '(#100) Cannot send both message and state at the same time.',
      },
    ],
    [
      'neither a message nor a sender_action',
      { message: undefined },
      undefined,
      { code: 100, subcode: 2018015, message: '(#100) Must send either message or state' },
    ],
    [
      'an empty message',
      {},
      { metadata: 'x' },
      {
        code: 100,
        subcode: 2018034,
        message: '(#100) Message cannot be empty, must provide valid attachment or text',
      },
    ],
    [
      'a retired tag',
      { messaging_type: 'MESSAGE_TAG', tag: 'CONFIRMED_EVENT_UPDATE' },
      { text: 'Hi' },
      {
        code: 100,
        subcode: 1893061,
        message:
          '(#100) The message tag CONFIRMED_EVENT_UPDATE is no longer supported. Use a supported tag or another messaging option.',
      },
    ],
    [
      'a media template of two elements',
      {},
      media(image, 2),
      { code: 100, message: '(#100) param name_placeholder[elements] must have at most 1 items' },
    ],
    [
      'a media template of audio',
      {},
      media({ ...image, media_type: 'audio' }),
      {
        code: 100,
        message:
          '(#100) param name_placeholder[elements][0][media_type] must be one of {image, video}',
      },
    ],
    [
      'a media template from another site',
      {},
      media({ media_type: 'image', url: 'https://example.com/a.jpg' }),
      {
        code: 100,
        message:
          '(#100) param name_placeholder[elements][0][url] must be a Facebook URL (or use attachment_id)',
      },
    ],
    [
      'a media template with url and attachment_id',
      {},
      media({ ...image, url: 'https://www.facebook.com/acme/videos/1' }),
      {
        code: 100,
        message:
          '(#100) param name_placeholder[elements][0] must have exactly one of url or attachment_id',
      },
    ],
    [
      'a media template with two buttons',
      {},
      media({
        ...image,
        buttons: [
          { type: 'web_url', title: 'a', url: 'https://acme.example' },
          { type: 'web_url', title: 'b', url: 'https://acme.example' },
        ],
      }),
      {
        code: 100,
        message: '(#100) param name_placeholder[elements][0][buttons] must have at most 1 items',
      },
    ],
    [
      'a log-in button to a plain-HTTP page',
      {},
      buttons({ type: 'account_link', url: 'http://acme.example/login' }),
      { code: 100, message: '(#100) param name_placeholder[buttons][0][url] must be an HTTPS URL' },
    ],
    [
      'a receipt without a recipient name',
      {},
      template({
        template_type: 'receipt',
        order_number: '1',
        currency: 'USD',
        payment_method: 'Visa 2345',
        summary: { total_cost: 56.14 },
      }),
      { code: 100, message: '(#100) The parameter name_placeholder[recipient_name] is required' },
    ],
  ])('refuses %s', (_name, overrides, message, answer) => {
    expect(checkSendRequest(body(overrides, message), tags)).toEqual(answer);
  });

  const receipt = template({
    template_type: 'receipt',
    recipient_name: 'Stephane Crozatier',
    order_number: '12345678902',
    currency: 'USD',
    payment_method: 'Visa 2345',
    summary: { subtotal: 75, shipping_cost: 4.95, total_tax: 6.19, total_cost: 56.14 },
    elements: [{ title: 'Classic White T-Shirt', quantity: 2, price: 50, currency: 'USD' }],
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    [
      'a numeric quick-reply payload',
      {},
      { text: 'Hi', quick_replies: [{ content_type: 'text', title: 'One', payload: 1 }] },
    ],
    ['a sticker', {}, { sticker_id: 369239263222822 }],
    ['a receipt', {}, receipt],
    [
      'a log-in button: url and no title',
      {},
      buttons({ type: 'account_link', url: 'https://acme.example/login' }),
    ],
    [
      'a media template with one button',
      {},
      media({ ...image, buttons: [{ type: 'postback', title: 'Buy', payload: 'BUY' }] }),
    ],
    [
      'a generic element with a title and an image',
      {},
      element({ title: 'Tent', image_url: 'https://x.io/t.jpg' }),
    ],
    [
      'a recipient by marketing-message token',
      { recipient: { notification_messages_token: 'nmt' } },
      { text: 'Hi' },
    ],
    [
      'a recipient by one-time-notification token',
      { recipient: { one_time_notif_token: 'otn' } },
      { text: 'Hi' },
    ],
    [
      'a utility template send, left to the template check',
      { messaging_type: 'UTILITY' },
      template({
        template_type: 'utility_messages',
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'A1' }] }],
      }),
    ],
    [
      'a sender_action alone',
      { sender_action: 'typing_on', messaging_type: undefined, message: undefined },
      undefined,
    ],
  ])('accepts %s', (_name, overrides, message) => {
    expect(checkSendRequest(body(overrides, message ?? { text: 'Hi' }), tags)).toBeUndefined();
  });
});
