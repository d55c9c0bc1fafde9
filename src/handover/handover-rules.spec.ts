import { PAGE_INBOX_APP_ID } from '../messenger/payloads';
import type { MessagingEvent } from '../webhooks/messaging-event';
import { handoverChange, storedOwner } from './handover-rules';

const US = '1000000000000001';
const OTHER = '2000000000000002';
const PAGE = '104857600000001';
const PSID = '6543210987654321';
const AT = 1764400000000;
const event = (fields: Record<string, unknown>, timestamp: unknown = AT): MessagingEvent => ({
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: timestamp as number,
  ...fields,
});

describe('storedOwner', () => {
  it.each([
    [OTHER, US, OTHER],
    [PAGE_INBOX_APP_ID, US, PAGE_INBOX_APP_ID],
    [US, US, null],
    [null, US, null],
    [undefined, US, null],
    ['', US, null],
    // Without APP_ID every owner counts as another app's.
    [US, undefined, US],
  ])('%s with APP_ID %s is stored as %s', (appId, ownAppId, stored) => {
    expect(storedOwner(appId, ownAppId)).toBe(stored);
  });
});

describe('handoverChange', () => {
  const at = new Date(AT);
  it.each<[string, MessagingEvent, ReturnType<typeof handoverChange>]>([
    [
      'a pass to the inbox',
      event({
        pass_thread_control: {
          previous_owner_app_id: US,
          new_owner_app_id: PAGE_INBOX_APP_ID,
          metadata: 'agent please',
        },
      }),
      {
        kind: 'owner',
        psid: PSID,
        ownerAppId: PAGE_INBOX_APP_ID,
        previousOwnerAppId: US,
        metadata: 'agent please',
        at,
        via: 'pass_thread_control',
      },
    ],
    [
      'a pass back to this app, from an idle thread (previous owner null)',
      event({ pass_thread_control: { previous_owner_app_id: null, new_owner_app_id: US } }),
      {
        kind: 'owner',
        psid: PSID,
        ownerAppId: null,
        previousOwnerAppId: null,
        at,
        via: 'pass_thread_control',
      },
    ],
    [
      'a take by another app, ids as numbers',
      event({ take_thread_control: { previous_owner_app_id: Number(US), new_owner_app_id: 123 } }),
      {
        kind: 'owner',
        psid: PSID,
        ownerAppId: '123',
        previousOwnerAppId: US,
        at,
        via: 'take_thread_control',
      },
    ],
    [
      'a take by this app',
      event({
        take_thread_control: { previous_owner_app_id: PAGE_INBOX_APP_ID, new_owner_app_id: US },
      }),
      {
        kind: 'owner',
        psid: PSID,
        ownerAppId: null,
        previousOwnerAppId: PAGE_INBOX_APP_ID,
        at,
        via: 'take_thread_control',
      },
    ],
    [
      'a request',
      event({ request_thread_control: { requested_owner_app_id: 123456789, metadata: 'mine?' } }),
      { kind: 'request', psid: PSID, requestedOwnerAppId: '123456789', metadata: 'mine?', at },
    ],
    [
      'app roles, keeping only app ids and string roles',
      {
        recipient: { id: PAGE },
        timestamp: AT,
        app_roles: { [US]: ['primary_receiver'], [OTHER]: ['secondary_receiver', 7], x: ['y'] },
      },
      {
        kind: 'app_roles',
        roles: { [US]: ['primary_receiver'], [OTHER]: ['secondary_receiver'] },
        at,
      },
    ],
    ['a message', event({ message: { mid: 'm_1', text: 'hi' } }), undefined],
    ['a pass without a new owner', event({ pass_thread_control: { metadata: 'x' } }), undefined],
    ['a request without an app', event({ request_thread_control: {} }), undefined],
    [
      'a pass without a timestamp',
      { sender: { id: PSID }, pass_thread_control: { new_owner_app_id: OTHER } },
      undefined,
    ],
    [
      'a pass with a string timestamp',
      event({ pass_thread_control: { new_owner_app_id: OTHER } }, '1764400000000'),
      undefined,
    ],
    [
      'a pass without a sender',
      { recipient: { id: PAGE }, timestamp: AT, pass_thread_control: { new_owner_app_id: OTHER } },
      undefined,
    ],
    ['a pass whose body is not an object', event({ pass_thread_control: 'to inbox' }), undefined],
  ])('%s', (_case, input, change) => {
    expect(handoverChange(input, US)).toEqual(change);
  });
});
