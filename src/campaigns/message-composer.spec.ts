import { composeMessage, isAudioOrVideo } from './message-composer';
import { renderMessage } from './personalisation';
import { problemsOf } from '../../test/harness/problems';

const problems = (input: unknown) => problemsOf(() => composeMessage(input));
const many = (count: number, make: (index: number) => unknown) =>
  Array.from({ length: count }, (_, index) => make(index));

describe('composeMessage: every kind compiles to a Send API message', () => {
  it('text with quick replies in short forms', () => {
    expect(
      composeMessage({
        kind: 'text',
        text: 'Hi',
        quickReplies: [
          'Shop now',
          'user_email',
          'user_phone_number',
          'Later [https://example.com/later.png]',
        ],
      }),
    ).toEqual({
      text: 'Hi',
      quick_replies: [
        { content_type: 'text', title: 'Shop now', payload: 'Shop now' },
        { content_type: 'user_email' },
        { content_type: 'user_phone_number' },
        {
          content_type: 'text',
          title: 'Later',
          payload: 'Later',
          image_url: 'https://example.com/later.png',
        },
      ],
    });
  });

  it('quick replies as explicit objects', () => {
    expect(
      composeMessage({
        kind: 'text',
        text: 'Hi',
        quickReplies: [{ title: 'Yes', payload: 'YES', imageUrl: 'https://x.io/y.png' }],
      }),
    ).toEqual({
      text: 'Hi',
      quick_replies: [
        { content_type: 'text', title: 'Yes', payload: 'YES', image_url: 'https://x.io/y.png' },
      ],
    });
  });

  it('attachment by URL (reusable) or by id', () => {
    expect(
      composeMessage({
        kind: 'attachment',
        attachmentType: 'image',
        url: 'https://example.com/a.png',
      }),
    ).toEqual({
      attachment: {
        type: 'image',
        payload: { url: 'https://example.com/a.png', is_reusable: true },
      },
    });
    expect(
      composeMessage({
        kind: 'attachment',
        attachmentType: 'file',
        attachmentId: '1857777774821032',
        quickReplies: ['Ok'],
      }),
    ).toEqual({
      attachment: { type: 'file', payload: { attachment_id: '1857777774821032' } },
      quick_replies: [{ content_type: 'text', title: 'Ok', payload: 'Ok' }],
    });
  });

  it('buttons in every short form', () => {
    expect(
      composeMessage({
        kind: 'buttons',
        text: 'Pick one',
        buttons: [
          { title: 'Visit', value: 'https://acme.example/shop' },
          { title: 'Call', value: 'phone_number:+15551234567' },
          { title: 'Yes', value: 'YES_PAYLOAD' },
        ],
      }),
    ).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Pick one',
          buttons: [
            { type: 'web_url', title: 'Visit', url: 'https://acme.example/shop' },
            { type: 'phone_number', title: 'Call', payload: '+15551234567' },
            { type: 'postback', title: 'Yes', payload: 'YES_PAYLOAD' },
          ],
        },
      },
    });
    const login = composeMessage({
      kind: 'buttons',
      text: 't',
      buttons: [
        { title: 'Log in', value: 'account_link:https://acme.example/login' },
        { title: 'Log out', value: 'account_unlink' },
      ],
    });
    expect((login.attachment as { payload: { buttons: unknown } }).payload.buttons).toEqual([
      { type: 'account_link', url: 'https://acme.example/login' },
      { type: 'account_unlink' },
    ]);
  });

  it('generic elements', () => {
    expect(
      composeMessage({
        kind: 'generic',
        elements: [
          {
            title: 'Tent',
            subtitle: '2 people',
            imageUrl: 'https://x.io/t.jpg',
            defaultActionUrl: 'https://x.io/t',
            buttons: [{ title: 'Buy', value: 'BUY_TENT' }],
          },
        ],
      }),
    ).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [
            {
              title: 'Tent',
              subtitle: '2 people',
              image_url: 'https://x.io/t.jpg',
              default_action: { type: 'web_url', url: 'https://x.io/t' },
              buttons: [{ type: 'postback', title: 'Buy', payload: 'BUY_TENT' }],
            },
          ],
        },
      },
    });
  });

  it('media from a Facebook URL or an attachment id, with a button', () => {
    expect(
      composeMessage({
        kind: 'media',
        mediaType: 'video',
        url: 'https://www.facebook.com/acme/videos/1234',
        button: { title: 'Shop', value: 'https://acme.example' },
      }),
    ).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'media',
          elements: [
            {
              media_type: 'video',
              url: 'https://www.facebook.com/acme/videos/1234',
              buttons: [{ type: 'web_url', title: 'Shop', url: 'https://acme.example' }],
            },
          ],
        },
      },
    });
    expect(
      composeMessage({ kind: 'media', mediaType: 'image', attachmentId: '123' }),
    ).toMatchObject({ attachment: { payload: { elements: [{ attachment_id: '123' }] } } });
  });

  it('one-time-notification request and raw payloads', () => {
    expect(
      composeMessage({ kind: 'otn_request', title: 'Back in stock?', payload: 'restock' }),
    ).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'one_time_notif_req',
          title: 'Back in stock?',
          payload: 'restock',
        },
      },
    });
    expect(composeMessage({ kind: 'raw', payload: { text: 'as is', metadata: 'x' } })).toEqual({
      text: 'as is',
      metadata: 'x',
    });
  });
});

describe('composeMessage: every limit is a problem naming the field', () => {
  it.each([
    [
      'text over 2000',
      { kind: 'text', text: 'x'.repeat(2001) },
      'message.text',
      'must be at most 2000 characters',
    ],
    ['empty text', { kind: 'text', text: ' ' }, 'message.text', 'must be a non-empty string'],
    [
      '14 quick replies',
      { kind: 'text', text: 'a', quickReplies: many(14, (i) => `Q${i}`) },
      'message.quickReplies',
      'at most 13 quick replies',
    ],
    [
      'a quick-reply title over 20',
      { kind: 'text', text: 'a', quickReplies: ['x'.repeat(21)] },
      'message.quickReplies[0]',
      'must be at most 20 characters',
    ],
    [
      'a quick-reply payload over 1000',
      { kind: 'text', text: 'a', quickReplies: [{ title: 'a', payload: 'p'.repeat(1001) }] },
      'message.quickReplies[0].payload',
      'must be at most 1000 characters',
    ],
    [
      'attachment with url and id',
      { kind: 'attachment', attachmentType: 'image', url: 'https://x.io/a', attachmentId: '1' },
      'message',
      'takes exactly one of url or attachmentId',
    ],
    [
      'attachment with neither',
      { kind: 'attachment', attachmentType: 'image' },
      'message',
      'takes exactly one of url or attachmentId',
    ],
    [
      'an unknown attachment type',
      { kind: 'attachment', attachmentType: 'gif', url: 'https://x.io/a' },
      'message.attachmentType',
      'must be one of image, video, audio, file',
    ],
    [
      'button text over 640',
      { kind: 'buttons', text: 'x'.repeat(641), buttons: [{ title: 'a', value: 'b' }] },
      'message.text',
      'must be at most 640 characters',
    ],
    [
      'no buttons',
      { kind: 'buttons', text: 't', buttons: [] },
      'message.buttons',
      'must hold 1 to 3 buttons',
    ],
    [
      '4 buttons',
      { kind: 'buttons', text: 't', buttons: many(4, (i) => ({ title: `b${i}`, value: 'P' })) },
      'message.buttons',
      'must hold 1 to 3 buttons',
    ],
    [
      'a button title over 20',
      { kind: 'buttons', text: 't', buttons: [{ title: 'x'.repeat(21), value: 'P' }] },
      'message.buttons[0].title',
      'must be at most 20 characters',
    ],
    [
      'a bad phone number',
      { kind: 'buttons', text: 't', buttons: [{ title: 'Call', value: 'phone_number:555' }] },
      'message.buttons[0].value',
      expect.stringContaining('international number'),
    ],
    [
      'no elements',
      { kind: 'generic', elements: [] },
      'message.elements',
      'must hold 1 to 10 elements',
    ],
    [
      '11 elements',
      { kind: 'generic', elements: many(11, () => ({ title: 't' })) },
      'message.elements',
      'must hold 1 to 10 elements',
    ],
    [
      'an element title over 80',
      { kind: 'generic', elements: [{ title: 'x'.repeat(81) }] },
      'message.elements[0].title',
      'must be at most 80 characters',
    ],
    [
      'an element subtitle over 80',
      { kind: 'generic', elements: [{ title: 't', subtitle: 'x'.repeat(81) }] },
      'message.elements[0].subtitle',
      'must be at most 80 characters',
    ],
    [
      '4 buttons on an element',
      {
        kind: 'generic',
        elements: [{ title: 't', buttons: many(4, () => ({ title: 'b', value: 'P' })) }],
      },
      'message.elements[0].buttons',
      'at most 3 buttons',
    ],
    [
      'media from another site',
      { kind: 'media', mediaType: 'image', url: 'https://example.com/a.jpg' },
      'message.url',
      expect.stringContaining('facebook.com'),
    ],
    [
      'media of audio',
      { kind: 'media', mediaType: 'audio', attachmentId: '1' },
      'message.mediaType',
      'must be image or video',
    ],
    [
      'an OTN title over 65',
      { kind: 'otn_request', title: 'x'.repeat(66), payload: 'p' },
      'message.title',
      'must be at most 65 characters',
    ],
    [
      'an OTN payload over 1000',
      { kind: 'otn_request', title: 't', payload: 'p'.repeat(1001) },
      'message.payload',
      'must be at most 1000 characters',
    ],
    [
      'raw that is not an object',
      { kind: 'raw', payload: '{"text":"hi"}' },
      'message.payload',
      'must be a Send API message object',
    ],
    [
      'raw over the size cap',
      { kind: 'raw', payload: { text: 'x'.repeat(70_000) } },
      'message.payload',
      expect.stringContaining('bytes of JSON'),
    ],
    [
      'an unknown kind',
      { kind: 'carousel' },
      'message.kind',
      expect.stringContaining('must be one of text'),
    ],
  ])('%s', (_name, input, field, reason) => {
    expect(problems(input)).toEqual(expect.arrayContaining([{ field, reason }]));
  });

  it('leaves the length of a Liquid template to the rendering', () => {
    expect(() =>
      composeMessage({
        kind: 'text',
        text: 'a',
        quickReplies: ['Shop {{ user.attributes.city }}'],
      }),
    ).not.toThrow();
  });

  it('counts emoji as one character, as Facebook does', () => {
    expect(() => composeMessage({ kind: 'text', text: '👋'.repeat(2000) })).not.toThrow();
  });
});

describe('composeMessage: only the fields each kind takes', () => {
  it.each([
    ['text', { kind: 'text', text: 'Hi', buttons: [] }, 'message.buttons'],
    [
      'attachment',
      { kind: 'attachment', attachmentType: 'image', url: 'https://x.io/a', caption: 'c' },
      'message.caption',
    ],
    [
      'buttons',
      { kind: 'buttons', text: 't', buttons: [{ title: 'a', value: 'b' }], quickReplies: [] },
      'message.quickReplies',
    ],
    [
      'generic',
      { kind: 'generic', elements: [{ title: 't', subtitle: 's' }], text: 'x' },
      'message.text',
    ],
    [
      'media',
      { kind: 'media', mediaType: 'image', attachmentId: '1', buttons: [] },
      'message.buttons',
    ],
    ['otn_request', { kind: 'otn_request', title: 't', payload: 'p', topic: 'x' }, 'message.topic'],
    ['raw', { kind: 'raw', payload: { text: 'Hi' }, text: 'Hi' }, 'message.text'],
    [
      'a quick reply',
      { kind: 'text', text: 'Hi', quickReplies: [{ title: 'A', payload: 'A', image_url: 'x' }] },
      'message.quickReplies[0].image_url',
    ],
    [
      'a button',
      { kind: 'buttons', text: 't', buttons: [{ title: 'a', value: 'b', type: 'postback' }] },
      'message.buttons[0].type',
    ],
    [
      'a media button',
      {
        kind: 'media',
        mediaType: 'image',
        attachmentId: '1',
        button: { title: 'a', value: 'b', url: 'https://x.io' },
      },
      'message.button.url',
    ],
    [
      'an element',
      { kind: 'generic', elements: [{ title: 't', subtitle: 's', image: 'https://x.io/i.png' }] },
      'message.elements[0].image',
    ],
    [
      "an element's button",
      { kind: 'generic', elements: [{ title: 't', buttons: [{ title: 'a', value: 'b', x: 1 }] }] },
      'message.elements[0].buttons[0].x',
    ],
  ])('refuses an unknown field of %s', (_name, input, field) => {
    expect(problems(input)).toEqual([{ field, reason: 'is not an allowed field' }]);
  });
});

describe('composeMessage: a raw payload is held to the database and the Send API at save', () => {
  const nested = (depth: number): object =>
    Array.from({ length: depth - 1 }).reduce<object>((inner) => ({ a: inner }), { text: 'x' });
  const unstorable =
    'is not an allowed key: MongoDB cannot store keys that start with $ or contain a dot';

  it.each([
    [
      'a $-prefixed key',
      { text: 'Hi', metadata: { $where: 'x' } },
      'message.payload.metadata.$where',
      unstorable,
    ],
    [
      'a dotted key in an array',
      { text: 'Hi', quick_replies: [{ content_type: 'text', 'a.b': 1 }] },
      'message.payload.quick_replies[0].a.b',
      unstorable,
    ],
    ['a top-level $ key', { $set: { text: 'x' } }, 'message.payload.$set', unstorable],
    [
      'nesting deeper than 20 levels',
      { text: 'Hi', metadata: nested(20) },
      'message.payload',
      'must not be nested deeper than 20 levels',
    ],
    [
      'text over 2000',
      { text: 'x'.repeat(2001) },
      'message.payload.text',
      'must be at most 2000 characters',
    ],
    [
      'neither text nor attachment',
      { metadata: 'x' },
      'message.payload',
      'must have exactly one of text, attachment or sticker_id',
    ],
    [
      '14 quick replies',
      {
        text: 'a',
        quick_replies: many(14, (i) => ({ content_type: 'text', title: `${i}`, payload: 'p' })),
      },
      'message.payload.quick_replies',
      'must hold at most 13 items',
    ],
    [
      'a quick-reply title over 20',
      { text: 'a', quick_replies: [{ content_type: 'text', title: 'x'.repeat(21), payload: 'p' }] },
      'message.payload.quick_replies[0].title',
      'must be at most 20 characters',
    ],
    [
      'a postback payload over 1000',
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
      'message.payload.attachment.payload.buttons[0].payload',
      'must be at most 1000 characters',
    ],
    [
      '11 elements',
      {
        attachment: {
          type: 'template',
          payload: { template_type: 'generic', elements: many(11, () => ({ title: 't' })) },
        },
      },
      'message.payload.attachment.payload.elements',
      'must hold at most 10 items',
    ],
    [
      'an OTN title over 65',
      {
        attachment: {
          type: 'template',
          payload: { template_type: 'one_time_notif_req', title: 'x'.repeat(66), payload: 'p' },
        },
      },
      'message.payload.attachment.payload.title',
      'must be at most 65 characters',
    ],
  ])('refuses %s, naming the path', (_name, payload, field, reason) => {
    expect(problems({ kind: 'raw', payload })).toEqual([{ field, reason }]);
  });

  it('accepts nesting of 20 levels, and leaves the length of a template to the rendering', () => {
    expect(() =>
      composeMessage({ kind: 'raw', payload: { text: 'Hi', metadata: nested(19) } }),
    ).not.toThrow();
    expect(() =>
      composeMessage({ kind: 'raw', payload: { text: `{{ user.firstName }}${'x'.repeat(2000)}` } }),
    ).not.toThrow();
  });
});

describe('isAudioOrVideo', () => {
  it('tells which messages are held to 10 per second', () => {
    expect(isAudioOrVideo({ kind: 'attachment', attachmentType: 'audio' })).toBe(true);
    expect(isAudioOrVideo({ kind: 'media', mediaType: 'video' })).toBe(true);
    expect(isAudioOrVideo({ kind: 'attachment', attachmentType: 'image' })).toBe(false);
    expect(isAudioOrVideo({ kind: 'text' })).toBe(false);
  });
});

describe('composeMessage: only what Facebook accepts (issue 10, composer corrections)', () => {
  const scope = { user: { psid: '1', attributes: {} }, campaign: { name: 'c' } };
  const template = (payload: object) => ({ attachment: { type: 'template', payload } });

  it('compiles the log-in button to {type, url} without a title, which renders and sends', () => {
    const message = composeMessage({
      kind: 'buttons',
      text: 'Your account',
      buttons: [{ title: 'Log in', value: 'account_link:https://acme.example/login' }],
    });
    expect(message).toEqual(
      template({
        template_type: 'button',
        text: 'Your account',
        buttons: [{ type: 'account_link', url: 'https://acme.example/login' }],
      }),
    );
    expect(renderMessage(message, scope)).toEqual({ ok: true, message });
  });

  it('accepts a receipt template in a raw message, as Facebook still does', () => {
    const receipt = template({
      template_type: 'receipt',
      recipient_name: 'Stephane Crozatier',
      order_number: '12345678902',
      currency: 'USD',
      payment_method: 'Visa 2345',
      summary: { total_cost: 56.14 },
    });
    expect(composeMessage({ kind: 'raw', payload: receipt })).toEqual(receipt);
  });

  it.each([
    [
      'a log-in button to a plain-HTTP page',
      {
        kind: 'buttons',
        text: 't',
        buttons: [{ title: 'Log in', value: 'account_link:http://acme.example/login' }],
      },
      'message.buttons[0].value',
      'account_link: takes an https URL (Facebook requires HTTPS)',
    ],
    [
      'a generic element with only a title',
      { kind: 'generic', elements: [{ title: 'Tent' }] },
      'message.elements[0]',
      'needs a subtitle, imageUrl or buttons besides its title',
    ],
    [
      'a raw generic element with only a title',
      { kind: 'raw', payload: template({ template_type: 'generic', elements: [{ title: 'T' }] }) },
      'message.payload.attachment.payload.elements[0]',
      'needs a subtitle, image_url or buttons besides its title',
    ],
    [
      'a raw log-in button to a plain-HTTP page',
      {
        kind: 'raw',
        payload: template({
          template_type: 'button',
          text: 't',
          buttons: [{ type: 'account_link', url: 'http://acme.example/login' }],
        }),
      },
      'message.payload.attachment.payload.buttons[0].url',
      'must be an HTTPS URL',
    ],
    [
      'a raw postback button without payload',
      {
        kind: 'raw',
        payload: template({
          template_type: 'button',
          text: 't',
          buttons: [{ type: 'postback', title: 'Yes' }],
        }),
      },
      'message.payload.attachment.payload.buttons[0].payload',
      'is required for a postback button',
    ],
    [
      'raw keys the Send API does not take',
      { kind: 'raw', payload: { text: 'Hi', reply_to: { mid: 'm_1' } } },
      'message.payload',
      'has keys the Send API does not take: reply_to',
    ],
    [
      'raw empty quick replies',
      { kind: 'raw', payload: { text: 'Hi', quick_replies: [] } },
      'message.payload.quick_replies',
      'must not be empty',
    ],
  ])('refuses %s at save, naming the field', (_name, input, field, reason) => {
    expect(problems(input)).toEqual([{ field, reason }]);
  });
});
