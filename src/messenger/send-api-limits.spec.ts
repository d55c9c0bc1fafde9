import { composeMessage } from '../campaigns/message-composer';
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
      { path: [], kind: 'invalid', expected: 'must have exactly one of text or attachment' },
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
        elements: Array.from({ length: size }, () => ({ title: 't' })),
      }),
      (size) =>
        template({
          template_type: 'generic',
          elements: Array.from({ length: size }, () => ({ title: 't' })),
        }),
    ],
    [
      'elementTitle',
      SEND_API_LIMITS.elementTitle,
      (size) => ({ kind: 'generic', elements: [{ title: 'x'.repeat(size) }] }),
      (size) => template({ template_type: 'generic', elements: [{ title: 'x'.repeat(size) }] }),
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
