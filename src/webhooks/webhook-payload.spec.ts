import type { MessagingEvent } from './messaging-event';
import {
  eventKind,
  inboundOf,
  isOptOut,
  metricLabel,
  policyActionOf,
  receiptOf,
  retryDelayMs,
  templateStatusOf,
  webhookItems,
} from './webhook-payload';

const PAGE = '104857600000001';
const PSID = '7000000000000001';
const envelope = { sender: { id: PSID }, recipient: { id: PAGE }, timestamp: 1795440000000 };
const at = new Date(1795440000000);

describe('webhookItems', () => {
  it('flattens messaging, standby and changes with stable positions', () => {
    const body = {
      object: 'page',
      entry: [
        { id: PAGE, time: 1, messaging: [{ a: 1 }, { b: 2 }] },
        { id: '2', time: 1, standby: [{ c: 3 }], changes: [{ field: 'f', value: { v: 1 } }] },
      ],
    };
    expect(webhookItems(body)).toEqual({
      items: [
        { pageId: PAGE, field: 'messaging', position: '0.messaging.0', event: { a: 1 } },
        { pageId: PAGE, field: 'messaging', position: '0.messaging.1', event: { b: 2 } },
        { pageId: '2', field: 'standby', position: '1.standby.0', event: { c: 3 } },
      ],
      changes: [{ pageId: '2', position: '1.changes.0', field: 'f', value: { v: 1 } }],
    });
  });

  it.each([
    [[], 'not a Page webhook (object "page" with an entry array)'],
    [{ object: 'instagram', entry: [] }, 'not a Page webhook (object "page" with an entry array)'],
    [{ object: 'page', entry: [{ id: 'x' }] }, 'entry[0].id must be a Page id'],
    [
      { object: 'page', entry: [{ id: PAGE, messaging: {} }] },
      'entry[0].messaging must be an array',
    ],
    [
      { object: 'page', entry: [{ id: PAGE, standby: [1] }] },
      'entry[0].standby[0] must be an object',
    ],
    [
      { object: 'page', entry: [{ id: PAGE, changes: [{ field: 'f' }] }] },
      'entry[0].changes[0] must have a field and a value',
    ],
  ])('refuses %j: %s', (body, problem) => {
    expect(webhookItems(body)).toEqual({ problem });
  });
});

describe('eventKind', () => {
  it.each<[MessagingEvent, ReturnType<typeof eventKind>]>([
    [{ ...envelope, message: { mid: 'm', text: 'hi' } }, { kind: 'message' }],
    [{ ...envelope, message: { mid: 'm', is_echo: true, app_id: 1 } }, { kind: 'echo' }],
    [{ ...envelope, postback: { payload: 'P' } }, { kind: 'postback' }],
    [{ ...envelope, referral: { source: 'SHORTLINK' } }, { kind: 'referral' }],
    [{ ...envelope, optin: { type: 'one_time_notif_req' } }, { kind: 'optin' }],
    [{ ...envelope, delivery: { watermark: 1 } }, { kind: 'delivery' }],
    [{ ...envelope, read: { watermark: 1 } }, { kind: 'read' }],
    [{ ...envelope, pass_thread_control: {} }, { kind: 'pass_thread_control' }],
    [{ ...envelope, take_thread_control: {} }, { kind: 'take_thread_control' }],
    [{ ...envelope, request_thread_control: {} }, { kind: 'request_thread_control' }],
    [{ recipient: { id: PAGE }, timestamp: 1, app_roles: {} }, { kind: 'app_roles' }],
    [{ recipient: { id: PAGE }, 'policy-enforcement': {} }, { kind: 'policy_enforcement' }],
    [{ recipient: { id: PAGE }, policy_enforcement: {} }, { kind: 'policy_enforcement' }],
    [{ recipient: { id: PAGE }, messaging_policy_enforcement: {} }, { kind: 'policy_enforcement' }],
    [{ ...envelope, reaction: { reaction: 'love' } }, { unknown: 'reaction' }],
    [{ ...envelope, 'Weird Key!': {} }, { unknown: 'other' }],
    [{ ...envelope }, { unknown: 'other' }],
  ])('%j is %j', (event, kind) => {
    expect(eventKind(event)).toEqual(kind);
  });
});

describe('metricLabel', () => {
  it.each([
    ['reaction', 'reaction'],
    ['message_edit', 'message_edit'],
    ['policy-enforcement', 'policy-enforcement'],
    [undefined, 'other'],
    ['x'.repeat(41), 'other'],
    ['Upper', 'other'],
  ])('%s → %s', (key, label) => {
    expect(metricLabel(key)).toBe(label);
  });
});

describe('inboundOf', () => {
  it.each<
    [string, 'message' | 'postback' | 'referral', MessagingEvent, ReturnType<typeof inboundOf>]
  >([
    [
      'a text message',
      'message',
      { ...envelope, message: { mid: 'm1', text: 'Voilà' } },
      {
        psid: PSID,
        at,
        fromAd: false,
        text: 'Voilà',
        last: { kind: 'message', at, mid: 'm1', hasText: true },
      },
    ],
    [
      'a quick reply',
      'message',
      { ...envelope, message: { mid: 'm2', text: 'Yes', quick_reply: { payload: 'YES' } } },
      {
        psid: PSID,
        at,
        fromAd: false,
        text: 'Yes',
        last: { kind: 'message', at, mid: 'm2', hasText: true, quickReplyPayload: 'YES' },
      },
    ],
    [
      'a sticker',
      'message',
      {
        ...envelope,
        message: {
          mid: 'm3',
          sticker_id: 369239263222822,
          attachments: [
            { type: 'image', payload: { url: 'https://x/y.png', sticker_id: 369239263222822 } },
          ],
        },
      },
      {
        psid: PSID,
        at,
        fromAd: false,
        last: {
          kind: 'message',
          at,
          mid: 'm3',
          attachmentTypes: ['image'],
          stickerId: '369239263222822',
        },
      },
    ],
    [
      'a first message from an ad',
      'message',
      {
        ...envelope,
        message: {
          mid: 'm4',
          text: 'Hi',
          referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '55' },
        },
      },
      {
        psid: PSID,
        at,
        fromAd: true,
        text: 'Hi',
        last: {
          kind: 'message',
          at,
          mid: 'm4',
          hasText: true,
          referral: { source: 'ADS', type: 'OPEN_THREAD', adId: '55' },
        },
      },
    ],
    [
      'a postback',
      'postback',
      { ...envelope, postback: { mid: 'm5', title: 'Démarrer', payload: 'GET_STARTED' } },
      {
        psid: PSID,
        at,
        fromAd: false,
        last: { kind: 'postback', at, mid: 'm5', postbackPayload: 'GET_STARTED' },
      },
    ],
    [
      'a referral from a link',
      'referral',
      { ...envelope, referral: { ref: 'spring', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
      {
        psid: PSID,
        at,
        fromAd: false,
        last: {
          kind: 'referral',
          at,
          referral: { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'spring' },
        },
      },
    ],
    [
      'no sender',
      'message',
      { recipient: { id: PAGE }, timestamp: 1, message: {} },
      { problem: 'sender.id is missing' },
    ],
    [
      'no timestamp',
      'message',
      { sender: { id: PSID }, message: {} },
      { problem: 'timestamp must be a number of milliseconds' },
    ],
    [
      'a message that is not an object',
      'message',
      { ...envelope, message: 'hi' },
      { problem: 'message must be an object' },
    ],
  ])('%s', (_case, kind, event, expected) => {
    expect(inboundOf(kind, event)).toEqual(expected);
  });
});

describe('receiptOf', () => {
  it.each<['delivery' | 'read', MessagingEvent, ReturnType<typeof receiptOf>]>([
    [
      'delivery',
      { ...envelope, delivery: { mids: ['m1', 'm2'], watermark: 1795440000000 } },
      { psid: PSID, kind: 'delivered', watermark: at, mids: ['m1', 'm2'] },
    ],
    [
      'delivery',
      { ...envelope, delivery: { watermark: 1795440000000 } },
      { psid: PSID, kind: 'delivered', watermark: at },
    ],
    [
      'read',
      { ...envelope, read: { watermark: 1795440000000 } },
      { psid: PSID, kind: 'read', watermark: at },
    ],
    [
      'read',
      { ...envelope, read: {} },
      { problem: 'read.watermark must be a number of milliseconds' },
    ],
    [
      'delivery',
      { recipient: { id: PAGE }, delivery: { watermark: 1 } },
      { problem: 'sender.id is missing' },
    ],
  ])('%s %j', (kind, event, expected) => {
    expect(receiptOf(kind, event)).toEqual(expected);
  });
});

describe('policyActionOf', () => {
  it.each<[MessagingEvent, ReturnType<typeof policyActionOf>]>([
    [
      { 'policy-enforcement': { action: 'block', reason: 'spam' } },
      { action: 'block', reason: 'spam' },
    ],
    [{ policy_enforcement: { action: 'unblock' } }, { action: 'unblock', reason: undefined }],
    [
      { messaging_policy_enforcement: { action: 'warning', reason: 'r' } },
      { action: 'warning', reason: 'r' },
    ],
    [{ 'policy-enforcement': {} }, { problem: 'policy enforcement without an action' }],
  ])('%j', (event, expected) => {
    expect(policyActionOf(event)).toEqual(expected);
  });
});

describe('templateStatusOf', () => {
  it.each([
    [
      {
        event: 'APPROVED',
        message_template_id: 1689556908129832,
        message_template_name: 'order_update',
        message_template_language: 'en_US',
        reason: 'NONE',
      },
      {
        templateId: '1689556908129832',
        name: 'order_update',
        language: 'en_US',
        status: 'APPROVED',
        reason: 'NONE',
      },
    ],
    [
      { message_template_name: 'x' },
      { problem: 'message_template_status_update without an event' },
    ],
  ])('%j', (value, expected) => {
    expect(templateStatusOf(value)).toEqual(expected);
  });
});

describe('isOptOut', () => {
  it.each<[string | undefined, string[], boolean]>([
    ['STOP', ['STOP'], true],
    ['  stop ', ['STOP'], true],
    ['Unsubscribe', ['STOP', 'UNSUBSCRIBE'], true],
    ["don't stop", ['STOP'], false],
    ['STOP', [], false],
    [undefined, ['STOP'], false],
    ['STOP NOTIFICATIONS', ['STOP'], false],
  ])('%j with %j: %s', (text, keywords, expected) => {
    expect(isOptOut(text, keywords)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 5_000],
    [2, 10_000],
    [5, 80_000],
    [20, 3_600_000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(retryDelayMs(attempt)).toBe(ms);
  });
});
