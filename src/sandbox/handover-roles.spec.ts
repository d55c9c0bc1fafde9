import { PAGE_INBOX_APP_ID } from '../messenger/payloads';
import {
  handoverRefusal,
  NOT_THREAD_OWNER,
  primaryReceiver,
  type AppRoles,
} from './handover-roles';

const US = '1000000000000001';
const OTHER = '2000000000000002';
const usPrimary: AppRoles = {
  [US]: ['primary_receiver'],
  [PAGE_INBOX_APP_ID]: ['secondary_receiver'],
};
const otherPrimary: AppRoles = { [OTHER]: ['primary_receiver'], [US]: ['secondary_receiver'] };
const noPrimary: AppRoles = { [US]: ['secondary_receiver'] };
type Row = [
  'pass' | 'take',
  string,
  string | undefined,
  AppRoles,
  typeof NOT_THREAD_OWNER | undefined,
];

describe('handoverRefusal', () => {
  it.each<Row>([
    ['pass', 'an idle thread', undefined, usPrimary, undefined],
    ['pass', 'its own thread', US, otherPrimary, undefined],
    ['pass', "the inbox's thread, even as primary", PAGE_INBOX_APP_ID, usPrimary, NOT_THREAD_OWNER],
    ['pass', "another app's thread as secondary", OTHER, otherPrimary, NOT_THREAD_OWNER],
    ['take', 'an idle thread', undefined, otherPrimary, undefined],
    ['take', 'its own thread', US, otherPrimary, undefined],
    ['take', "the inbox's thread as primary", PAGE_INBOX_APP_ID, usPrimary, undefined],
    ['take', "another app's thread as secondary", OTHER, otherPrimary, NOT_THREAD_OWNER],
    [
      'take',
      'a thread when no app is primary',
      OTHER,
      { [US]: ['secondary_receiver'] },
      NOT_THREAD_OWNER,
    ],
  ])('%s of %s', (action, _case, owner, roles, refusal) => {
    expect(handoverRefusal(action, US, owner, roles)).toEqual(refusal);
  });
});

describe('primaryReceiver', () => {
  it.each([
    [usPrimary, US],
    [otherPrimary, OTHER],
    [noPrimary, undefined],
    [{}, undefined],
  ])('of %j is %s', (roles, primary) => {
    expect(primaryReceiver(roles)).toBe(primary);
  });
});
