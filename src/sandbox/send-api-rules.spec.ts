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
      /exactly one of text or attachment/,
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
      /\[payload\]\[payload\] must be less than or equal to 1000/,
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
