import { healthStatusFor, shownHealth, type StoredPageHealth } from './page-health';

describe('healthStatusFor', () => {
  it.each([
    [190, 463, 'token_invalid'],
    [190, undefined, 'token_invalid'],
    [102, undefined, 'token_invalid'],
    [368, undefined, 'blocked'],
    [10, 1893063, 'restricted'],
    [10, undefined, 'permission_missing'],
    [10, 2018028, 'permission_missing'],
    [3, undefined, 'permission_missing'],
    [1, 99, 'permission_missing'],
    [230, undefined, 'permission_missing'],
  ])('%s/%s is %s', (code, subcode, status) => {
    expect(healthStatusFor({ code, subcode })).toBe(status);
  });
});

describe('shownHealth', () => {
  const before = new Date('2026-11-01T00:00:00Z');
  const blockedAt = new Date('2026-11-02T00:00:00Z');
  const graphError = { code: 190, subcode: 463, message: 'expired' };
  it.each<[string, StoredPageHealth, ReturnType<typeof shownHealth>]>([
    ['healthy', { status: 'ok', since: before }, { status: 'ok', since: before }],
    [
      'a Graph error',
      { status: 'token_invalid', since: before, lastError: graphError },
      { status: 'token_invalid', since: before, lastError: graphError },
    ],
    [
      'a policy block over a healthy Page',
      { status: 'ok', since: before, policyBlock: { since: blockedAt, reason: 'spam' } },
      {
        status: 'blocked',
        since: blockedAt,
        lastError: { source: 'policy_enforcement', message: 'spam' },
      },
    ],
    [
      'a policy block without a reason over a Graph error',
      {
        status: 'token_invalid',
        since: before,
        lastError: graphError,
        policyBlock: { since: blockedAt },
      },
      { status: 'blocked', since: blockedAt, lastError: { source: 'policy_enforcement' } },
    ],
  ])('%s', (_case, stored, shown) => {
    expect(shownHealth(stored)).toEqual(shown);
  });
});
