import { eligibilityOf, EligibilityCounter, windowOf, type EligibilityFacts } from './eligibility';
import type { DeliveryPolicy } from './delivery-policy';

const now = new Date('2026-11-23T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const APP_ID = '1000000000000001';
const window: DeliveryPolicy = { policy: 'window', attemptUnknownWindow: false };
const tryUnknown: DeliveryPolicy = { policy: 'window', attemptUnknownWindow: true };
const tag: DeliveryPolicy = { policy: 'tag', tag: 'ACCOUNT_UPDATE' };
const otn: DeliveryPolicy = { policy: 'otn', topic: 'restock' };
const utility: DeliveryPolicy = {
  policy: 'utility',
  template: 'order_update',
  language: 'en_US',
  parameters: ['{{ user.firstName }}'],
};

const user = (facts: Partial<EligibilityFacts> = {}): EligibilityFacts => ({
  suppressed: false,
  ...facts,
});

describe('eligibilityOf', () => {
  it.each<[string, EligibilityFacts, DeliveryPolicy, boolean, string]>([
    ['window open (23 h)', user({ lastInboundAt: hoursAgo(23) }), window, false, 'eligible'],
    ['window closed (25 h)', user({ lastInboundAt: hoursAgo(25) }), window, false, 'window_closed'],
    [
      'ad referral within 7 days',
      user({ adReferralAt: hoursAgo(6 * 24) }),
      window,
      false,
      'eligible',
    ],
    [
      'ad referral after 7 days',
      user({ adReferralAt: hoursAgo(8 * 24) }),
      window,
      false,
      'window_closed',
    ],
    ['never seen by the webhook', user(), window, false, 'unknown_window'],
    ['never seen, attemptUnknownWindow', user(), tryUnknown, false, 'eligible'],
    [
      'suppressed beats an open window',
      user({ suppressed: true, lastInboundAt: hoursAgo(1) }),
      window,
      false,
      'suppressed',
    ],
    [
      'thread owned by the Page Inbox',
      user({ threadOwnerAppId: '263902037430900', lastInboundAt: hoursAgo(1) }),
      window,
      false,
      'thread_owned_by_other_app',
    ],
    [
      'thread owned by this app',
      user({ threadOwnerAppId: APP_ID, lastInboundAt: hoursAgo(1) }),
      window,
      false,
      'eligible',
    ],
    ['tag ignores the window', user({ lastInboundAt: hoursAgo(100) }), tag, false, 'eligible'],
    [
      'utility ignores the window',
      user({ lastInboundAt: hoursAgo(100) }),
      utility,
      false,
      'eligible',
    ],
    ['utility to a user never seen', user(), utility, false, 'eligible'],
    [
      'utility still respects suppression',
      user({ suppressed: true }),
      utility,
      false,
      'suppressed',
    ],
    [
      'utility still respects the thread owner',
      user({ threadOwnerAppId: '263902037430900' }),
      utility,
      false,
      'thread_owned_by_other_app',
    ],
    ['otn without a token', user({ lastInboundAt: hoursAgo(1) }), otn, false, 'no_token'],
    [
      'otn with a token, window closed',
      user({ lastInboundAt: hoursAgo(100) }),
      otn,
      true,
      'eligible',
    ],
  ])('%s', (_name, facts, delivery, hasToken, verdict) => {
    expect(eligibilityOf(facts, delivery, { now, appId: APP_ID, hasToken })).toBe(verdict);
  });

  it('keeps the window open for exactly 24 hours', () => {
    expect(windowOf({ lastInboundAt: hoursAgo(24) }, now)).toBe('open');
    expect(windowOf({ lastInboundAt: new Date(hoursAgo(24).getTime() - 1) }, now)).toBe('closed');
  });

  it('counts an audience by verdict', () => {
    const counter = new EligibilityCounter();
    for (const verdict of ['eligible', 'eligible', 'window_closed', 'suppressed'] as const)
      counter.add(verdict);
    expect(counter.breakdown).toEqual({
      audience: 4,
      eligible: 2,
      window_closed: 1,
      suppressed: 1,
      unknown_window: 0,
      no_token: 0,
      thread_owned_by_other_app: 0,
    });
  });
});
