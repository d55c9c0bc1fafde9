import { healthStatusFor } from './page-health';

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
