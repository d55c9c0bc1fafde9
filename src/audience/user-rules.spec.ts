import { isIanaTimeZone, lastInboundAtProblem, psidProblem } from './user-rules';

describe('user rules', () => {
  it.each(['1', '104857600000001', '9'.repeat(32)])('accepts the PSID %p', (psid) =>
    expect(psidProblem(psid)).toBeUndefined(),
  );
  it.each([
    ['', 'psid is missing'],
    ['12a', 'psid must be digits'],
    ['-1', 'psid must be digits'],
    ['0', 'psid must be digits without a leading zero'],
    ['0123', 'psid must be digits without a leading zero'],
    ['1'.repeat(33), 'psid must be digits without a leading zero'],
  ])('refuses the PSID %p: %s', (psid, problem) => expect(psidProblem(psid)).toBe(problem));

  it('refuses a last-inbound time in the future beyond 5 minutes of skew', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(lastInboundAtProblem(new Date('2026-11-23T12:04:59Z'), now)).toBeUndefined();
    expect(lastInboundAtProblem(new Date('2020-01-01T00:00:00Z'), now)).toBeUndefined();
    expect(lastInboundAtProblem(new Date('2026-11-23T12:05:01Z'), now)).toMatch(/future/);
    expect(lastInboundAtProblem(new Date('2099-01-01T00:00:00Z'), now)).toMatch(/future/);
  });

  it.each(['Europe/Paris', 'America/New_York', 'UTC', 'Etc/GMT+1'])('accepts the zone %p', (zone) =>
    expect(isIanaTimeZone(zone)).toBe(true),
  );
  it.each(['', 'Mars/Olympus', 'Paris', '+01:00', 'GMT+1 ', '../etc'])(
    'refuses the zone %p',
    (zone) => expect(isIanaTimeZone(zone)).toBe(false),
  );
});
